package dev.baton.modules.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicPatternTest {

  @Test
  void exactPattern_matchesOnlyTheEqualTopic() {
    TopicPattern pattern = TopicPattern.compile("orders.eu.created");

    assertThat(pattern.isExact()).isTrue();
    assertThat(pattern.matches("orders.eu.created")).isTrue();
    assertThat(pattern.matches("orders.eu")).isFalse();
    assertThat(pattern.matches("orders.eu.created.late")).isFalse();
    assertThat(pattern.matches("orders.eu.createdx")).isFalse();
  }

  @Test
  void star_matchesExactlyOneSegment() {
    TopicPattern pattern = TopicPattern.compile("orders.*.created");

    assertThat(pattern.isExact()).isFalse();
    assertThat(pattern.matches("orders.eu.created")).isTrue();
    assertThat(pattern.matches("orders.us.created")).isTrue();
    assertThat(pattern.matches("orders.created")).isFalse();
    assertThat(pattern.matches("orders.eu.x.created")).isFalse();
    assertThat(pattern.matches("orders.eu.deleted")).isFalse();
  }

  @Test
  void trailingStar_needsASegmentThere() {
    TopicPattern pattern = TopicPattern.compile("orders.*");

    assertThat(pattern.matches("orders.eu")).isTrue();
    assertThat(pattern.matches("orders")).isFalse();
    assertThat(pattern.matches("orders.eu.created")).isFalse();
    assertThat(pattern.matches("ordersx.eu")).isFalse();
  }

  @Test
  void doubleStar_matchesZeroOrMoreTrailingSegments() {
    TopicPattern pattern = TopicPattern.compile("orders.**");

    assertThat(pattern.matches("orders")).isTrue();
    assertThat(pattern.matches("orders.eu")).isTrue();
    assertThat(pattern.matches("orders.eu.created.late")).isTrue();
    assertThat(pattern.matches("ordersx")).isFalse();
    assertThat(pattern.matches("payments.eu")).isFalse();
  }

  @Test
  void doubleStarAlone_matchesEveryTopic_andCombinesWithStar() {
    assertThat(TopicPattern.compile("**").matches("a")).isTrue();
    assertThat(TopicPattern.compile("**").matches("a.b.c")).isTrue();

    TopicPattern pattern = TopicPattern.compile("*.eu.**");
    assertThat(pattern.matches("orders.eu")).isTrue();
    assertThat(pattern.matches("orders.eu.created")).isTrue();
    assertThat(pattern.matches("orders.us.created")).isFalse();
    assertThat(pattern.matches("eu")).isFalse();
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void invalidPatterns_areRefusedWithTheReason() {
    assertThatThrownBy(() -> TopicPattern.compile("orders.**.created"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'orders.**.created'")
        .hasMessageContaining("only be the last segment");
    assertThatThrownBy(() -> TopicPattern.compile("ord*.created"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mixes '*'");
    assertThatThrownBy(() -> TopicPattern.compile("orders..created"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty segment");
    assertThatThrownBy(() -> TopicPattern.compile("orders."))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty segment");
    assertThatThrownBy(() -> TopicPattern.compile(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> TopicPattern.compile("@exit"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> TopicPattern.compile("orders created"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whitespace");
    assertThatThrownBy(() -> TopicPattern.compile("x".repeat(TopicPattern.MAX_LENGTH + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than");
    assertThatThrownBy(() -> TopicPattern.compile(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aHashSegment_isRefused_withAHintToUseDoubleStar() {
    assertThatThrownBy(() -> TopicPattern.compile("orders.#"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'**'");
    assertThatThrownBy(() -> TopicPattern.requireTopic("orders.#.eu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'**'");
    assertThat(TopicPattern.compile("orders.#1").matches("orders.#1")).isTrue();
  }

  @Test
  void invisibleCharacters_anyUnicodeSpaceControlOrFormat_areRefused() {
    for (String bad :
        List.of(
            "orders\u00A0eu", // no-break space (a space separator, not isWhitespace)
            "orders\u2007eu", // figure space
            "orders\u3000eu", // ideographic space
            "orders\u200Beu", // zero-width space (format)
            "orders\u200Deu", // zero-width joiner
            "orders\uFEFFeu", // byte-order mark
            "orders\u202Eeu", // right-to-left override
            "orders\u0085eu", // next line (control)
            "orders\teu")) {
      assertThatThrownBy(() -> TopicPattern.compile(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("whitespace or a control or format character");
      assertThatThrownBy(() -> TopicPattern.requireTopic(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(TopicPattern.requireTopic("commandes.épicerie.日本")).isNotEmpty();
  }

  @Test
  void publishedTopics_mustBeConcreteAndUnreserved() {
    assertThat(TopicPattern.requireTopic("orders.eu.created")).isEqualTo("orders.eu.created");
    assertThatThrownBy(() -> TopicPattern.requireTopic("orders.*"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("concrete");
    assertThatThrownBy(() -> TopicPattern.requireTopic("@cancel"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> TopicPattern.requireTopic(".orders"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty segment");
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void commands_checkTheirTopicsWhenBuilt() {
    assertThatThrownBy(() -> new Events.Send("orders.*", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Events.Subscribe("a.**.b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Events.Unsubscribe(null)).isInstanceOf(NullPointerException.class);
  }
}
