package dev.baton.tasks.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.Marshaller;
import dev.baton.tasks.MarshallingException;
import dev.baton.tasks.TaskConfigurationException;
import dev.baton.tasks.TaskSignature;
import dev.baton.tasks.TypeRef;
import dev.baton.tasks.internal.TestTypes.Gadget;
import dev.baton.tasks.internal.TestTypes.Point;
import dev.baton.tasks.internal.TestTypes.Positive;
import dev.baton.tasks.internal.TestTypes.Tagged;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MarshallerErrorsTest {

  private static final TaskSignature ADD =
      new TaskSignature("add", List.of(int.class, int.class), List.of("a", "b"), int.class);
  private static final TaskSignature MOVE =
      new TaskSignature("move", List.of(Point.class), List.of("p"), void.class);

  private static final TaskSignature LOCATE = TaskSignature.of("locate", Point.class);

  private static final Marshaller JSON_TYPED = BuiltInMarshallers.jsonTyped();
  private static final Marshaller JSON = BuiltInMarshallers.json();
  private static final Marshaller SMILE = BuiltInMarshallers.smile();

  private static byte[] json(String text) {
    return text.getBytes(UTF_8);
  }

  private static Marshaller named(String name) {
    return switch (name) {
      case "JSON_TYPED" -> JSON_TYPED;
      case "JSON" -> JSON;
      case "SMILE" -> SMILE;
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void tooManyArgumentsNameTheTaskTheCountAndTheParameters(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).decodeArguments(ADD, json("[1, 2, 3]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: expected 2 arguments (a: int, b: int), got 3");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void tooFewArgumentsNameTheTaskTheCountAndTheParameters(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).decodeArguments(ADD, json("[1]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: expected 2 arguments (a: int, b: int), got 1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON", "SMILE"})
  void encodingTheWrongCountFailsAtTheCaller(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).encodeArguments(ADD, new Object[] {1, 2, 3}))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: expected 2 arguments (a: int, b: int), got 3");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON", "SMILE"})
  void encodingAnArgumentOfTheWrongTypeFailsNamingTheParameterAndBothTypes(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).encodeArguments(ADD, new Object[] {1, "x"}))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: parameter b expects int, got String \"x\"");
  }

  @Test
  void aFloatForAnIntParameterFailsInTypedJsonNamingTheParameterAndTheTypes() {
    assertThatThrownBy(() -> JSON_TYPED.decodeArguments(ADD, json("[1, 1.5]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: parameter b expects int, got JSON number 1.5");
  }

  @Test
  void aFloatForAnIntParameterFailsInPlainJsonNamingTheParameterAndTheTypes() {
    assertThatThrownBy(() -> JSON.decodeArguments(ADD, json("[1, 1.5]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: parameter b expects int, got BigDecimal 1.5 (not a whole number)");
  }

  @Test
  void aStringForAnIntParameterFailsNamingWhatTheJsonHeld() {
    assertThatThrownBy(() -> JSON_TYPED.decodeArguments(ADD, json("[1, \"x\"]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: parameter b expects int, got JSON string \"x\"");
    assertThatThrownBy(() -> JSON.decodeArguments(ADD, json("[1, \"x\"]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: parameter b expects int, got String \"x\"");
  }

  @Test
  void aNumberOutOfRangeFailsRatherThanWrapping() {
    assertThatThrownBy(() -> JSON_TYPED.decodeArguments(ADD, json("[1, 3000000000]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: parameter b expects int, got JSON integer 3000000000")
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> JSON.decodeArguments(ADD, json("[1, 3000000000]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: parameter b expects int, got Long 3000000000 (out of range)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void nullForAPrimitiveParameterFails(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).decodeArguments(ADD, json("[1, null]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: parameter b expects int, got ")
        .hasMessageContaining("null");
  }

  @Test
  void aStringNeverBecomesANumberOrABooleanAndANumberNeverBecomesAString() {
    TaskSignature signature =
        new TaskSignature(
            "mixed", List.of(String.class, boolean.class), List.of("name", "flag"), void.class);

    assertThatThrownBy(() -> JSON_TYPED.decodeArguments(ADD, json("[\"12\", 1]")))
        .hasMessageStartingWith("task add: parameter a expects int, got JSON string \"12\"");
    assertThatThrownBy(() -> JSON_TYPED.decodeArguments(signature, json("[12, true]")))
        .hasMessageStartingWith("task mixed: parameter name expects String, got JSON integer 12");
    assertThatThrownBy(() -> JSON_TYPED.decodeArguments(signature, json("[\"a\", 1]")))
        .hasMessageStartingWith("task mixed: parameter flag expects boolean, got JSON integer 1");
    assertThatThrownBy(() -> JSON.decodeArguments(signature, json("[12, true]")))
        .hasMessage("task mixed: parameter name expects String, got Integer 12");
  }

  @Test
  void aBadFieldInsideARecordNamesTheParameterTheRecordAndTheField() {
    assertThatThrownBy(() -> JSON_TYPED.decodeArguments(MOVE, json("[{\"x\": \"a\", \"y\": 2}]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task move: parameter p expects Point, got JSON object (at x: ")
        .hasMessageContaining("String value (\"a\")");
    assertThatThrownBy(() -> JSON.decodeArguments(MOVE, json("[{\"x\": \"a\", \"y\": 2}]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task move: parameter p expects Point, got Map (at x: ");
  }

  @Test
  void aBadElementInsideAListNamesItsIndex() {
    TaskSignature signature =
        new TaskSignature(
            "sum", List.of(new TypeRef<List<Integer>>() {}.type()), List.of("values"), long.class);

    assertThatThrownBy(() -> JSON.decodeArguments(signature, json("[[1, 2, \"three\"]]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessage(
            "task sum: parameter values expects List<Integer>, got List (at [2]: expected"
                + " Integer, got String \"three\")");
    assertThatThrownBy(() -> JSON_TYPED.decodeArguments(signature, json("[[1, 2, \"three\"]]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith(
            "task sum: parameter values expects List<Integer>, got JSON array (at [2]: ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void bytesThatAreNotJsonAtAllFailWithAMarshallingException(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).decodeArguments(ADD, json("this is not json")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: the arguments are not valid JSON: ");
    assertThatThrownBy(
            () -> named(marshaller).decodeArguments(ADD, new byte[] {(byte) 0xff, 0, 1, 2}))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: the arguments are not valid JSON: ");
    assertThatThrownBy(() -> named(marshaller).decodeReturn(ADD, json("oops")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: the return value is not valid JSON: ");
  }

  @Test
  void bytesThatAreNotSmileFailWithAMarshallingException() {
    assertThatThrownBy(() -> SMILE.decodeArguments(ADD, json("[1, 2]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: the arguments are not valid Smile: ");
    assertThatThrownBy(() -> SMILE.decodeReturn(ADD, json("3")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: the return value is not valid Smile: ");
  }

  @Test
  void aSmileValueOfTheWrongTypeNamesTheParameter() {
    byte[] strings =
        SMILE.encodeArguments(
            new TaskSignature(
                "names", List.of(String.class, String.class), List.of("a", "b"), void.class),
            new Object[] {"1", "x"});

    assertThatThrownBy(() -> SMILE.decodeArguments(ADD, strings))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: parameter a expects int, got Smile string \"1\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void argumentsThatAreNotAnArrayAreRefused(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).decodeArguments(ADD, json("{\"a\": 1, \"b\": 2}")))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: the arguments must be a JSON array, got JSON object");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void emptyBytesAreRefused(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).decodeArguments(ADD, new byte[0]))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: the arguments ");
    assertThatThrownBy(() -> named(marshaller).decodeReturn(ADD, new byte[0]))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: the return value ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void trailingDataAfterTheArgumentsIsRefused(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).decodeArguments(ADD, json("[1, 2] [3]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void malformedJsonAnywhereInThePayloadIsReportedAsNotJson(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).decodeArguments(ADD, json("[1, 2")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: the arguments are not valid JSON: ");
    assertThatThrownBy(() -> named(marshaller).decodeArguments(MOVE, json("[{\"x\": 1, \"y\": }]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task move: the arguments are not valid JSON: ");
    assertThatThrownBy(() -> named(marshaller).decodeReturn(LOCATE, json("{\"x\": ")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task locate: ")
        .hasMessageContaining("end-of-input");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void aReturnValueOfTheWrongTypeNamesTheTaskAndTheTypes(String marshaller) {
    assertThatThrownBy(() -> named(marshaller).decodeReturn(ADD, json("\"x\"")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task add: return value expects int, got ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void anAtClassPropertyIsIgnoredAndInstantiatesNothing(String marshaller) {
    int before = Gadget.CREATED.get();
    String payload = "[{\"@class\": \"" + Gadget.class.getName() + "\", \"x\": 1, \"y\": 2}]";

    @Nullable Object[] decoded = named(marshaller).decodeArguments(MOVE, json(payload));

    assertThat(decoded).containsExactly(new Point(1, 2));
    assertThat(Gadget.CREATED.get()).isEqualTo(before);
  }

  @Test
  void aClassNameInAPayloadIsNeverResolvedEvenWhenTheTypeAsksForIt() {
    TaskSignature signature =
        new TaskSignature("tag", List.of(Tagged.class), List.of("t"), void.class);
    int before = Gadget.CREATED.get();
    String payload = "[{\"@class\": \"" + Gadget.class.getName() + "\", \"value\": 1}]";

    assertThatThrownBy(() -> JSON_TYPED.decodeArguments(signature, json(payload)))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task tag: parameter t expects Tagged, got JSON object")
        .hasMessageContaining("denied");
    assertThatThrownBy(() -> JSON.decodeArguments(signature, json(payload)))
        .isInstanceOf(MarshallingException.class)
        .hasMessageContaining("denied");
    assertThat(Gadget.CREATED.get()).isEqualTo(before);
  }

  @Test
  void aClassNameInAnUntypedPayloadStaysAPlainMap() {
    TaskSignature signature =
        new TaskSignature(
            "keep",
            List.of(new TypeRef<Map<String, String>>() {}.type()),
            List.of("m"),
            void.class);
    String payload = "[{\"@class\": \"" + Gadget.class.getName() + "\"}]";

    assertThat(JSON.decodeArguments(signature, json(payload)))
        .containsExactly(Map.of("@class", Gadget.class.getName()));
  }

  @Test
  void noJacksonExceptionEscapesForDeeplyNestedInput() {
    TaskSignature signature =
        new TaskSignature(
            "deep", List.of(new TypeRef<List<Integer>>() {}.type()), List.of("values"), void.class);
    String payload = "[" + "[".repeat(5000) + "]".repeat(5000) + "]";

    assertThatThrownBy(() -> JSON_TYPED.decodeArguments(signature, json(payload)))
        .isInstanceOf(MarshallingException.class);
    assertThatThrownBy(() -> JSON.decodeArguments(signature, json(payload)))
        .isInstanceOf(MarshallingException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"JSON_TYPED", "JSON"})
  void aRecordConstructorThatRejectsTheValueGivesItsReason(String marshaller) {
    TaskSignature signature =
        new TaskSignature("check", List.of(Positive.class), List.of("n"), void.class);

    assertThatThrownBy(
            () -> named(marshaller).decodeArguments(signature, json("[{\"value\": -1}]")))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task check: parameter n expects Positive, got ")
        .hasMessageContaining("value must be positive, got -1");
  }

  @Test
  void anUnknownBuiltInIdIsAConfigurationError() {
    assertThatThrownBy(() -> BuiltInMarshallers.byId(7))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageStartingWith("no built-in marshaller has id 7");
  }
}
