package dev.baton.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AppContextTest {
  private static final Key<String> GREETING = Key.of("greeting", String.class);
  private static final Key<Integer> COUNT = Key.of("count", Integer.class);

  @Test
  void with_returnsAnEnrichedContext_andLeavesTheOriginalUnchanged() {
    AppContext empty = AppContext.empty();

    AppContext enriched = empty.with(GREETING, "hello");

    assertThat(enriched.require(GREETING)).isEqualTo("hello");
    assertThat(empty.find(GREETING)).isEmpty();
    assertThat(enriched.keys()).containsExactly(GREETING);
  }

  @Test
  void require_missingKey_failsNamingTheKeyAndWhatIsThere() {
    AppContext context = AppContext.empty().with(GREETING, "hello");

    assertThatThrownBy(() -> context.require(COUNT))
        .isInstanceOfSatisfying(
            MissingServiceException.class, e -> assertThat(e.keyName()).isEqualTo("count"))
        .hasMessageContaining("count (Integer)")
        .hasMessageContaining("greeting (String)")
        .hasMessageContaining("depend on");
  }

  @Test
  void with_aNameAlreadyPresent_fails_evenWithAnotherType() {
    AppContext context = AppContext.empty().with(GREETING, "hello");

    assertThatThrownBy(() -> context.with(Key.of("greeting", Integer.class), 1))
        .isInstanceOf(DuplicateServiceException.class)
        .hasMessageContaining("greeting");
  }

  @Test
  void sealedContext_refusesNewServices_butStillAnswersLookups() {
    AppContext sealed = AppContext.empty().with(GREETING, "hello").seal();

    assertThat(sealed.isSealed()).isTrue();
    assertThat(sealed.require(GREETING)).isEqualTo("hello");
    assertThat(sealed.seal()).isSameAs(sealed);
    assertThatThrownBy(() -> sealed.with(COUNT, 1))
        .isInstanceOf(SealedContextException.class)
        .hasMessageContaining("sealed");
  }

  @Test
  void key_withABlankName_isRejected() {
    assertThatThrownBy(() -> Key.of(" ", String.class))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
