package dev.baton.tasks.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.Marshaller;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.TaskSignature;
import dev.baton.tasks.TypeRef;
import dev.baton.tasks.internal.TestTypes.Account;
import dev.baton.tasks.internal.TestTypes.Color;
import dev.baton.tasks.internal.TestTypes.Everything;
import dev.baton.tasks.internal.TestTypes.Line;
import dev.baton.tasks.internal.TestTypes.Page;
import dev.baton.tasks.internal.TestTypes.Point;
import dev.baton.tasks.internal.TestTypes.Tree;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MarshallerRoundTripTest {

  /** One supported type and a value of it. */
  record Case(String label, Type type, @Nullable Object value) {
    @Override
    public String toString() {
      return label;
    }
  }

  static List<Case> cases() {
    return Arrays.asList(
        new Case("int", int.class, 42),
        new Case("int minimum", int.class, Integer.MIN_VALUE),
        new Case("long", long.class, Long.MAX_VALUE),
        new Case("short", short.class, (short) -7),
        new Case("double", double.class, 3.25),
        new Case("double with many digits", double.class, 0.1 + 0.2),
        new Case("double NaN", double.class, Double.NaN),
        new Case("float", float.class, 1.1f),
        new Case("char", char.class, 'é'),
        new Case("boolean", boolean.class, true),
        new Case("boxed null", Integer.class, null),
        new Case("String", String.class, "héllo \"quoted\"\n✓"),
        new Case(
            "BigDecimal",
            BigDecimal.class,
            new BigDecimal("12345678901234567890.000000000000000001")),
        new Case("BigDecimal keeps its scale", BigDecimal.class, new BigDecimal("1.50")),
        new Case("BigInteger", BigInteger.class, new BigInteger("123456789012345678901234567890")),
        new Case("enum", Color.class, Color.GREEN),
        new Case("record", Point.class, new Point(1, -2)),
        new Case(
            "nested record", Line.class, new Line(new Point(0, 0), new Point(3, 4), "diagonal")),
        new Case("POJO", Account.class, new Account("ann", 1234, List.of("a", "b"))),
        new Case("POJO with a null field", Account.class, new Account("bob", 0, null)),
        new Case(
            "List<record>",
            new TypeRef<List<Point>>() {}.type(),
            List.of(new Point(1, 2), new Point(3, 4))),
        new Case(
            "Map<String, List<Integer>>",
            new TypeRef<Map<String, List<Integer>>>() {}.type(),
            Map.of("a", List.of(1, 2), "b", List.of())),
        new Case(
            "Map<Integer, String>",
            new TypeRef<Map<Integer, String>>() {}.type(),
            Map.of(1, "one", 2, "two")),
        new Case(
            "Map<Color, Long>",
            new TypeRef<Map<Color, Long>>() {}.type(),
            Map.of(Color.RED, 1L, Color.BLUE, 3_000_000_000L)),
        new Case("Set<Color>", new TypeRef<Set<Color>>() {}.type(), Set.of(Color.RED, Color.BLUE)),
        new Case(
            "Optional<String> present",
            new TypeRef<Optional<String>>() {}.type(),
            Optional.of("x")),
        new Case(
            "Optional<String> empty", new TypeRef<Optional<String>>() {}.type(), Optional.empty()),
        new Case(
            "Optional<record> present",
            new TypeRef<Optional<Point>>() {}.type(),
            Optional.of(new Point(5, 6))),
        new Case("byte[]", byte[].class, new byte[] {0, 1, -1, 127, -128}),
        new Case("int[]", int[].class, new int[] {1, 2, 3}),
        new Case("String[] with a null", String[].class, new String[] {"a", null}),
        new Case("Instant", Instant.class, Instant.parse("2024-05-06T07:08:09.123456789Z")),
        new Case("Duration", Duration.class, Duration.ofMillis(1500)),
        new Case("LocalDate", LocalDate.class, LocalDate.of(2024, 2, 29)),
        new Case(
            "ZonedDateTime keeps its zone",
            ZonedDateTime.class,
            ZonedDateTime.of(2024, 7, 1, 10, 30, 0, 0, ZoneId.of("Europe/Paris"))),
        new Case("UUID", UUID.class, UUID.fromString("0b9a6c1e-6f0a-4b8e-9a57-3c1d2e4f5a6b")),
        new Case(
            "generic record",
            new TypeRef<Page<Point>>() {}.type(),
            new Page<>(List.of(new Point(1, 1)), 1)),
        new Case(
            "recursive record", Tree.class, new Tree("root", List.of(new Tree("leaf", List.of())))),
        new Case("record of everything", Everything.class, everything()));
  }

  static Everything everything() {
    return new Everything(
        Instant.parse("2020-01-01T00:00:00Z"),
        UUID.fromString("00000000-0000-0000-0000-000000000001"),
        Optional.of("note"),
        new BigDecimal("0.10"),
        Map.of("odd", List.of(1, 3), "even", List.of(2)),
        List.of(new Line(new Point(1, 1), new Point(2, 2), "l")),
        Color.BLUE);
  }

  static Stream<Arguments> marshallersAndCases() {
    List<Arguments> all = new ArrayList<>();
    for (Map.Entry<String, Marshaller> marshaller : marshallers().entrySet()) {
      for (Case c : cases()) {
        all.add(Arguments.of(marshaller.getKey(), marshaller.getValue(), c));
      }
    }
    return all.stream();
  }

  static Map<String, Marshaller> marshallers() {
    return Map.of(
        "JSON_TYPED",
        BuiltInMarshallers.byId(Marshallers.JSON_TYPED),
        "JSON",
        BuiltInMarshallers.byId(Marshallers.JSON),
        "SMILE",
        BuiltInMarshallers.byId(Marshallers.SMILE));
  }

  @ParameterizedTest(name = "{0} carries {2} as an argument")
  @MethodSource("marshallersAndCases")
  void argumentsComeBackAsTheDeclaredTypes(String name, Marshaller marshaller, Case c) {
    TaskSignature signature = TaskSignature.of("echo", void.class, c.type(), int.class);

    byte[] encoded = marshaller.encodeArguments(signature, new @Nullable Object[] {c.value(), 7});
    @Nullable Object[] decoded = marshaller.decodeArguments(signature, encoded);

    assertThat(decoded).hasSize(2);
    assertThat(decoded[0]).isEqualTo(c.value());
    if (c.value() != null) {
      assertThat(decoded[0]).isInstanceOf(boxed(ValueCorrectors.erasure(c.type())));
    }
    assertThat(decoded[1]).isEqualTo(7);
  }

  @ParameterizedTest(name = "{0} carries {2} as a return value")
  @MethodSource("marshallersAndCases")
  void returnValuesComeBackAsTheDeclaredType(String name, Marshaller marshaller, Case c) {
    TaskSignature signature = TaskSignature.of("make", c.type());

    Object decoded =
        marshaller.decodeReturn(signature, marshaller.encodeReturn(signature, c.value()));

    assertThat(decoded).isEqualTo(c.value());
  }

  @Test
  void everyMarshallerReturnsNullForAVoidTask() {
    TaskSignature signature = TaskSignature.of("run", void.class);
    for (Marshaller marshaller : marshallers().values()) {
      byte[] encoded = marshaller.encodeReturn(signature, null);
      assertThat(marshaller.decodeReturn(signature, encoded)).isNull();
      assertThat(marshaller.decodeReturn(signature, new byte[0])).isNull();
    }
  }

  @Test
  void aTaskWithoutParametersEncodesAnEmptyArray() {
    TaskSignature signature = TaskSignature.of("tick", void.class);
    for (Marshaller marshaller : marshallers().values()) {
      byte[] encoded = marshaller.encodeArguments(signature, new Object[0]);
      assertThat(marshaller.decodeArguments(signature, encoded)).isEmpty();
    }
    assertThat(
            new String(
                BuiltInMarshallers.jsonTyped().encodeArguments(signature, new Object[0]), UTF_8))
        .isEqualTo("[]");
  }

  @Test
  void typedJsonAndPlainJsonWriteTheSameBytes() {
    Type type = new TypeRef<List<Everything>>() {}.type();
    TaskSignature signature = TaskSignature.of("all", type, type);
    @Nullable Object[] arguments = {List.of(everything())};

    assertThat(BuiltInMarshallers.json().encodeArguments(signature, arguments))
        .isEqualTo(BuiltInMarshallers.jsonTyped().encodeArguments(signature, arguments));
    assertThat(BuiltInMarshallers.json().encodeReturn(signature, List.of(everything())))
        .isEqualTo(BuiltInMarshallers.jsonTyped().encodeReturn(signature, List.of(everything())));
  }

  @Test
  void idZeroIsTheTypedJsonMarshaller() {
    assertThat(BuiltInMarshallers.byId(Marshallers.DEFAULT))
        .isSameAs(BuiltInMarshallers.byId(Marshallers.JSON_TYPED));
    assertThat(BuiltInMarshallers.isBuiltIn(2)).isTrue();
    assertThat(BuiltInMarshallers.isBuiltIn(Marshallers.FIRST_USER_ID)).isFalse();
  }

  @Test
  void jsonCarriesInstantsAsIsoStringsEnumsByNameBytesAsBase64AndEmptyOptionalsAsNull() {
    TaskSignature signature =
        TaskSignature.of(
            "shapes",
            void.class,
            Instant.class,
            Color.class,
            byte[].class,
            new TypeRef<Optional<String>>() {}.type(),
            Duration.class);

    String json =
        new String(
            BuiltInMarshallers.jsonTyped()
                .encodeArguments(
                    signature,
                    new Object[] {
                      Instant.parse("2024-01-02T03:04:05Z"),
                      Color.RED,
                      new byte[] {1, 2, 3},
                      Optional.empty(),
                      Duration.ofSeconds(90)
                    }),
            UTF_8);

    assertThat(json).isEqualTo("[\"2024-01-02T03:04:05Z\",\"RED\",\"AQID\",null,\"PT1M30S\"]");
  }

  @Test
  void recordsAndPojosAreWrittenAsObjectsOfTheirFields() {
    TaskSignature signature = TaskSignature.of("save", void.class, Point.class, Account.class);

    String json =
        new String(
            BuiltInMarshallers.jsonTyped()
                .encodeArguments(
                    signature, new Object[] {new Point(1, 2), new Account("ann", 5, null)}),
            UTF_8);

    assertThat(json).isEqualTo("[{\"x\":1,\"y\":2},{\"owner\":\"ann\",\"cents\":5,\"tags\":null}]");
  }

  @Test
  void smileIsBinaryAndStartsWithItsHeader() {
    TaskSignature signature = TaskSignature.of("echo", void.class, String.class);

    byte[] encoded = BuiltInMarshallers.smile().encodeArguments(signature, new Object[] {"x"});

    assertThat(new String(encoded, 0, 3, UTF_8)).isEqualTo(":)\n");
  }

  @Test
  void encodingCorrectsArgumentsToTheDeclaredTypesFirst() {
    TaskSignature signature = TaskSignature.of("sum", void.class, long.class, double.class);

    byte[] encoded = BuiltInMarshallers.jsonTyped().encodeArguments(signature, new Object[] {3, 2});

    assertThat(new String(encoded, UTF_8)).isEqualTo("[3,2.0]");
    assertThat(BuiltInMarshallers.jsonTyped().decodeArguments(signature, encoded))
        .containsExactly(3L, 2.0);
  }

  private static Class<?> boxed(Class<?> type) {
    return type.isPrimitive() ? ArgumentCorrector.box(type) : type;
  }
}
