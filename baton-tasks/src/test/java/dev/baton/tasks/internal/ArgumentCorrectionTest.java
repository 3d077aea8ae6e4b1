package dev.baton.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.MarshallingException;
import dev.baton.tasks.TaskSignature;
import dev.baton.tasks.TypeRef;
import dev.baton.tasks.internal.TestTypes.Account;
import dev.baton.tasks.internal.TestTypes.Color;
import dev.baton.tasks.internal.TestTypes.Line;
import dev.baton.tasks.internal.TestTypes.Point;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ArgumentCorrectionTest {

  private static final TaskSignature ADD =
      new TaskSignature("add", List.of(int.class, int.class), List.of("a", "b"), int.class);

  private static @Nullable Object correctOne(Type type, @Nullable Object value) {
    TaskSignature signature = new TaskSignature("t", List.of(type), List.of("v"), void.class);
    return ArgumentCorrector.of(signature).correct(new @Nullable Object[] {value})[0];
  }

  private static Type type(TypeRef<?> ref) {
    return ref.type();
  }

  @Test
  void argumentsThatAlreadyHaveTheirTypesPassAsTheSameArray() {
    Line line = new Line(new Point(0, 0), new Point(1, 1), "l");
    List<Point> points = List.of(new Point(1, 2));
    TaskSignature signature =
        new TaskSignature(
            "all",
            List.of(
                int.class,
                String.class,
                Line.class,
                new TypeRef<List<Point>>() {}.type(),
                new TypeRef<Optional<String>>() {}.type()),
            List.of("n", "s", "line", "points", "note"),
            void.class);
    @Nullable Object[] arguments = {5, "x", line, points, Optional.of("y")};

    @Nullable Object[] corrected = ArgumentCorrector.of(signature).correct(arguments);

    assertThat(corrected).isSameAs(arguments);
    assertThat(corrected[2]).isSameAs(line);
    assertThat(corrected[3]).isSameAs(points);
  }

  @Test
  void theWrongCountNamesTheTaskTheParametersAndTheCount() {
    assertThatThrownBy(() -> ArgumentCorrection.correct(ADD, new Object[] {1, 2, 3}))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: expected 2 arguments (a: int, b: int), got 3");
    assertThatThrownBy(
            () ->
                ArgumentCorrection.correct(
                    TaskSignature.of("one", void.class, int.class), new Object[0]))
        .hasMessage("task one: expected 1 argument (arg0: int), got 0");
  }

  @Test
  void aValueOfTheWrongTypeNamesTheParameterAndBothTypes() {
    assertThatThrownBy(() -> ArgumentCorrection.correct(ADD, new Object[] {1, "x"}))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: parameter b expects int, got String \"x\"");
  }

  @Test
  void nullForAPrimitiveIsRefusedAndForABoxIsKept() {
    assertThatThrownBy(() -> ArgumentCorrection.correct(ADD, new @Nullable Object[] {1, null}))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task add: parameter b expects int, got null");
    assertThat(correctOne(Integer.class, null)).isNull();
    assertThat(correctOne(Point.class, null)).isNull();
  }

  @Test
  void integralNumbersWidenAndNarrowWhenTheValueFits() {
    assertThat(correctOne(long.class, 3)).isEqualTo(3L);
    assertThat(correctOne(Long.class, (short) 3)).isEqualTo(3L);
    assertThat(correctOne(int.class, 3L)).isEqualTo(3);
    assertThat(correctOne(byte.class, 127)).isEqualTo((byte) 127);
    assertThat(correctOne(short.class, BigInteger.valueOf(-5))).isEqualTo((short) -5);
    assertThat(correctOne(BigInteger.class, 7)).isEqualTo(BigInteger.valueOf(7));
    assertThat(correctOne(long.class, new BigInteger("9223372036854775807")))
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void integralNumbersThatDoNotFitAreRefusedNamingTheRange() {
    assertThatThrownBy(() -> correctOne(int.class, 3_000_000_000L))
        .hasMessage("task t: parameter v expects int, got Long 3000000000 (out of range)");
    assertThatThrownBy(() -> correctOne(byte.class, 128))
        .hasMessage("task t: parameter v expects byte, got Integer 128 (out of range)");
    assertThatThrownBy(() -> correctOne(long.class, new BigInteger("9223372036854775808")))
        .hasMessage(
            "task t: parameter v expects long, got BigInteger 9223372036854775808 (out of range)");
  }

  @Test
  void integralNumbersBecomeFloatingOnes() {
    assertThat(correctOne(double.class, 3)).isEqualTo(3.0);
    assertThat(correctOne(float.class, 3L)).isEqualTo(3.0f);
    assertThat(correctOne(BigDecimal.class, 3)).isEqualTo(BigDecimal.valueOf(3));
  }

  @Test
  void floatingNumbersBecomeIntegralOnlyWithoutAFraction() {
    assertThat(correctOne(int.class, 2.0)).isEqualTo(2);
    assertThat(correctOne(long.class, new BigDecimal("40.000"))).isEqualTo(40L);
    assertThatThrownBy(() -> correctOne(int.class, 1.5))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task t: parameter v expects int, got Double 1.5 (not a whole number)");
    assertThatThrownBy(() -> correctOne(long.class, Double.NaN))
        .hasMessage("task t: parameter v expects long, got Double NaN (not a finite number)");
    assertThatThrownBy(() -> correctOne(int.class, 1e12)).hasMessageEndingWith("(out of range)");
  }

  @Test
  void floatingNumbersBecomeBigDecimalsAsWritten() {
    assertThat(correctOne(BigDecimal.class, 0.1)).isEqualTo(new BigDecimal("0.1"));
    assertThat(correctOne(BigDecimal.class, 1.1f)).isEqualTo(new BigDecimal("1.1"));
    assertThat(correctOne(double.class, new BigDecimal("0.1"))).isEqualTo(0.1);
  }

  @Test
  void theNamesJacksonWritesForSpecialDoublesBecomeThoseDoubles() {
    assertThat(correctOne(double.class, "NaN")).isEqualTo(Double.NaN);
    assertThat(correctOne(double.class, "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(correctOne(float.class, "Infinity")).isEqualTo(Float.POSITIVE_INFINITY);
    assertThatThrownBy(() -> correctOne(double.class, "1.5"))
        .hasMessage("task t: parameter v expects double, got String \"1.5\"");
  }

  @Test
  void stringsAndBooleansAcceptOnlyThemselves() {
    assertThatThrownBy(() -> correctOne(String.class, 5))
        .hasMessage("task t: parameter v expects String, got Integer 5");
    assertThatThrownBy(() -> correctOne(boolean.class, "true"))
        .hasMessage("task t: parameter v expects boolean, got String \"true\"");
    assertThatThrownBy(() -> correctOne(int.class, true))
        .hasMessage("task t: parameter v expects int, got Boolean true");
  }

  @Test
  void aOneCharacterStringBecomesAChar() {
    assertThat(correctOne(char.class, "é")).isEqualTo('é');
    assertThatThrownBy(() -> correctOne(char.class, "ab"))
        .hasMessage("task t: parameter v expects char, got String \"ab\"");
  }

  @Test
  void aMapBecomesARecordOrAPojo() {
    assertThat(correctOne(Point.class, Map.of("x", 1, "y", 2))).isEqualTo(new Point(1, 2));
    assertThat(
            correctOne(
                Line.class,
                Map.of(
                    "from", Map.of("x", 0, "y", 0),
                    "to", Map.of("x", 3, "y", 4),
                    "label", "d")))
        .isEqualTo(new Line(new Point(0, 0), new Point(3, 4), "d"));
    assertThat(correctOne(Account.class, Map.of("owner", "ann", "cents", 5, "tags", List.of("a"))))
        .isEqualTo(new Account("ann", 5, List.of("a")));
  }

  @Test
  void aMapThatDoesNotFitTheRecordNamesTheField() {
    assertThatThrownBy(() -> correctOne(Point.class, Map.of("x", "a", "y", 2)))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task t: parameter v expects Point, got Map (at x: ")
        .hasMessageContaining("String value (\"a\")");
  }

  @Test
  void anObjectOfAnotherClassIsNeverReinterpretedFieldByField() {
    assertThatThrownBy(() -> correctOne(Point.class, new Account("ann", 1, null)))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("task t: parameter v expects Point, got Account");
  }

  @Test
  void listElementsAreCorrectedIntoANewListLeavingTheCallersOwnUntouched() {
    List<Integer> given = List.of(1, 2);
    @Nullable Object[] arguments = {given};
    TaskSignature signature =
        new TaskSignature(
            "t", List.of(new TypeRef<List<Long>>() {}.type()), List.of("v"), void.class);

    @Nullable Object[] corrected = ArgumentCorrector.of(signature).correct(arguments);

    assertThat(corrected).isNotSameAs(arguments);
    assertThat(arguments[0]).isSameAs(given);
    assertThat(corrected[0]).isEqualTo(List.of(1L, 2L));
  }

  @Test
  void listsOfMapsBecomeListsOfRecords() {
    assertThat(
            correctOne(
                type(new TypeRef<List<Point>>() {}),
                List.of(Map.of("x", 1, "y", 2), new Point(3, 4))))
        .isEqualTo(List.of(new Point(1, 2), new Point(3, 4)));
  }

  @Test
  void aBadElementNamesItsIndex() {
    assertThatThrownBy(() -> correctOne(type(new TypeRef<List<Integer>>() {}), List.of(1, "two")))
        .hasMessage(
            "task t: parameter v expects List<Integer>, got List (at [1]: expected Integer, got"
                + " String \"two\")");
  }

  @Test
  void aBadMapValueOrKeyNamesTheKey() {
    Type type = type(new TypeRef<Map<String, List<Integer>>>() {});
    assertThatThrownBy(() -> correctOne(type, Map.of("k", List.of("x"))))
        .hasMessage(
            "task t: parameter v expects Map<String, List<Integer>>, got Map (at [\"k\"][0]:"
                + " expected Integer, got String \"x\")");
    assertThatThrownBy(
            () -> correctOne(type(new TypeRef<Map<Integer, String>>() {}), Map.of("one", "1")))
        .hasMessage(
            "task t: parameter v expects Map<Integer, String>, got Map (at [key \"one\"]:"
                + " expected Integer, got String \"one\")");
  }

  @Test
  void mapKeysWrittenAsStringsBecomeNumbersAndEnums() {
    Map<String, String> given = new LinkedHashMap<>();
    given.put("1", "one");
    given.put("2", "two");
    assertThat(correctOne(type(new TypeRef<Map<Integer, String>>() {}), given))
        .isEqualTo(Map.of(1, "one", 2, "two"));
    assertThat(correctOne(type(new TypeRef<Map<Color, Integer>>() {}), Map.of("RED", 1)))
        .isEqualTo(Map.of(Color.RED, 1));
  }

  @Test
  void aListBecomesASetAndAnArray() {
    assertThat(correctOne(type(new TypeRef<Set<Color>>() {}), List.of("RED", "RED", "BLUE")))
        .isEqualTo(Set.of(Color.RED, Color.BLUE));
    assertThat(correctOne(int[].class, List.of(1, 2L))).isEqualTo(new int[] {1, 2});
    assertThat(correctOne(String[].class, new ArrayList<>(List.of("a"))))
        .isEqualTo(new String[] {"a"});
    assertThat(correctOne(type(new TypeRef<List<String>>() {}), new String[] {"a", "b"}))
        .isEqualTo(List.of("a", "b"));
  }

  @Test
  void stringsBecomeEnumsInstantsAndBytesAsJsonWritesThem() {
    assertThat(correctOne(Color.class, "GREEN")).isEqualTo(Color.GREEN);
    assertThat(correctOne(Instant.class, "2024-01-01T00:00:00Z"))
        .isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    assertThat(correctOne(byte[].class, "AQID")).isEqualTo(new byte[] {1, 2, 3});
    assertThatThrownBy(() -> correctOne(Color.class, "PURPLE"))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task t: parameter v expects Color, got String \"PURPLE\" (");
    assertThatThrownBy(() -> correctOne(Color.class, 0))
        .isInstanceOf(MarshallingException.class)
        .hasMessageStartingWith("task t: parameter v expects Color, got Integer 0");
  }

  @Test
  void optionalsWrapBareValuesAndNullIsEmpty() {
    Type type = type(new TypeRef<Optional<Long>>() {});
    assertThat(correctOne(type, null)).isEqualTo(Optional.empty());
    assertThat(correctOne(type, 5)).isEqualTo(Optional.of(5L));
    assertThat(correctOne(type, Optional.of(5))).isEqualTo(Optional.of(5L));
    Optional<Long> exact = Optional.of(5L);
    assertThat(correctOne(type, exact)).isSameAs(exact);
  }

  @Test
  void returnValuesAreCorrectedToTheDeclaredType() {
    assertThat(ArgumentCorrection.correctReturn(long.class, 5)).isEqualTo(5L);
    assertThat(ArgumentCorrection.correctReturn(Point.class, Map.of("x", 1, "y", 2)))
        .isEqualTo(new Point(1, 2));
    assertThat(ArgumentCorrection.correctReturn(void.class, "ignored")).isNull();
    assertThatThrownBy(() -> ArgumentCorrection.correctReturn(int.class, "x"))
        .isInstanceOf(MarshallingException.class)
        .hasMessage("return value expects int, got String \"x\"");
    assertThatThrownBy(() -> ArgumentCorrection.correctReturn(ADD, "x"))
        .hasMessage("task add: return value expects int, got String \"x\"");
  }

  @Test
  void theCorrectorOfASignatureIsPreparedOnce() {
    assertThat(ArgumentCorrection.corrector(ADD)).isSameAs(ArgumentCorrection.corrector(ADD));
    assertThat(ArgumentCorrection.corrector(ADD).signature()).isEqualTo(ADD);
  }
}
