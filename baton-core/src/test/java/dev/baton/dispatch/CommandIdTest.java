package dev.baton.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommandIdTest {

  @Test
  void of_acceptsTheWholeUnsigned16BitRange() {
    assertThat(CommandId.of(0).value()).isZero();
    assertThat(CommandId.of(65_535).value()).isEqualTo(65_535);
  }

  @Test
  void of_outsideUnsigned16Bits_failsNamingTheValue() {
    assertThatThrownBy(() -> CommandId.of(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> CommandId.of(65_536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65536");
  }

  @Test
  void isSystem_holdsBelow256Only() {
    assertThat(CommandId.of(255).isSystem()).isTrue();
    assertThat(CommandId.of(256).isSystem()).isFalse();
  }

  @Test
  void ids_orderByValue_andEqualByValue() {
    assertThat(CommandId.of(3)).isLessThan(CommandId.of(40)).isEqualTo(CommandId.of(3));
  }
}
