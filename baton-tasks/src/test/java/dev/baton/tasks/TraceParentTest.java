package dev.baton.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceParentTest {

  private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void aValidHeaderParsesIntoItsPartsAndPrintsBackTheSame() {
    TraceParent trace = TraceParent.parse(VALID);

    assertThat(trace.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(trace.parentId()).isEqualTo("00f067aa0ba902b7");
    assertThat(trace.flags()).isEqualTo(1);
    assertThat(trace.sampled()).isTrue();
    assertThat(trace.toString()).isEqualTo(VALID);
    assertThat(TraceParent.parse(trace.toString())).isEqualTo(trace);
  }

  @Test
  void flagsOtherThanSampledRoundTrip() {
    TraceParent trace =
        TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-fe");

    assertThat(trace.flags()).isEqualTo(0xfe);
    assertThat(trace.sampled()).isFalse();
    assertThat(trace.toString()).endsWith("-fe");
  }

  @Test
  void aNewTraceIsValidSampledAndRandom() {
    TraceParent a = TraceParent.newTrace();
    TraceParent b = TraceParent.newTrace();

    assertThat(TraceParent.parse(a.toString())).isEqualTo(a);
    assertThat(a.sampled()).isTrue();
    assertThat(a.traceId()).isNotEqualTo(b.traceId());
  }

  @Test
  void aChildKeepsTheTraceAndFlagsWithANewParentId() {
    TraceParent parent = TraceParent.parse(VALID);
    TraceParent child = parent.child();

    assertThat(child.traceId()).isEqualTo(parent.traceId());
    assertThat(child.flags()).isEqualTo(parent.flags());
    assertThat(child.parentId()).isNotEqualTo(parent.parentId()).matches("[0-9a-f]{16}");
  }

  @Test
  void anotherVersionIsRefusedNamingTheVersion() {
    assertThatThrownBy(
            () -> TraceParent.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 00");
  }

  @Test
  void upperCaseHexIsRefused() {
    assertThatThrownBy(
            () -> TraceParent.parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lower-case hex");
    assertThatThrownBy(
            () -> TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trace flags");
  }

  @Test
  void allZeroIdsAreRefused() {
    assertThatThrownBy(
            () -> TraceParent.parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trace id of all zeros");
    assertThatThrownBy(
            () -> TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parent id of all zeros");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "00",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // trace id one short
        "00-4bf92f3577b34da6a3ce929d0e0e47361-00f067aa0ba902b7-01", // trace id one long
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01", // parent id one short
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011", // flags too long
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", // trailing separator
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01", // wrong separators
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01" // not hex
      })
  void malformedHeadersAreRefusedWithAnIllegalArgumentException(String header) {
    assertThatThrownBy(() -> TraceParent.parse(header))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aHugeValueIsQuotedOnlyInPart() {
    String huge = "x".repeat(10_000);

    assertThatThrownBy(() -> TraceParent.parse(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }

  @Test
  void theConstructorChecksItsComponents() {
    assertThatThrownBy(
            () -> new TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one byte");
    assertThatThrownBy(() -> new TraceParent("abc", "00f067aa0ba902b7", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 hex digits");
  }
}
