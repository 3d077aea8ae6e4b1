package dev.baton.modules.event;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A compiled subscription pattern over dot-separated topics, with the rules for published topics.
 *
 * <p><b>Topics</b> are one or more non-empty segments separated by {@code .} ({@code
 * "orders.eu.created"}), at most {@value #MAX_LENGTH} characters, with no {@code *}, no whitespace
 * (any Unicode space or whitespace), no control or format characters (zero-width spaces and
 * joiners, direction marks), no segment that is just {@code #}, and not starting with {@code @}
 * (reserved for the process runtime's notifications, such as {@code @exit}). Invisible characters
 * are refused so that two topics that look alike are alike.
 *
 * <p><b>Patterns</b> follow the same rules, except that a whole segment may be a wildcard (the AMQP
 * topic-exchange scheme, with {@code **} for AMQP's {@code #}):
 *
 * <ul>
 *   <li>{@code *} matches exactly one segment: {@code orders.*.created} matches {@code
 *       orders.eu.created}, not {@code orders.created} nor {@code orders.eu.x.created};
 *   <li>{@code **}, only as the last segment, matches zero or more segments: {@code orders.**}
 *       matches {@code orders}, {@code orders.eu} and {@code orders.eu.created}; {@code **} alone
 *       matches every topic.
 * </ul>
 *
 * A segment that mixes a wildcard with other characters ({@code ord*}) is refused, as is {@code **}
 * anywhere but last: they have no agreed meaning and would otherwise silently match nothing. A
 * {@code #} segment (AMQP's multi-segment wildcard) is refused with a hint to write {@code **}:
 * taken literally, an AMQP user's {@code orders.#} would silently match nothing.
 *
 * <p>Immutable and thread-safe. {@link #matches} allocates nothing: it walks the topic's characters
 * against the compiled segments.
 */
public final class TopicPattern {
  /** The longest topic or pattern accepted, in characters. */
  public static final int MAX_LENGTH = 1024;

  private static final String ONE = "*";
  private static final String REST = "**";

  private final String pattern;

  /** The segments; the last is {@link #REST} when {@link #openEnded}. */
  private final List<String> segments;

  private final boolean openEnded;
  private final boolean exact;

  private TopicPattern(String pattern, List<String> segments) {
    this.pattern = pattern;
    this.segments = segments;
    this.openEnded = segments.getLast().equals(REST);
    this.exact = !pattern.contains(ONE);
  }

  /**
   * Compiles {@code pattern}.
   *
   * @throws IllegalArgumentException naming the pattern and what is wrong with it
   * @throws NullPointerException if {@code pattern} is null
   */
  public static TopicPattern compile(String pattern) {
    List<String> segments = split("pattern", pattern);
    for (int i = 0; i < segments.size(); i++) {
      String segment = segments.get(i);
      if (segment.equals(REST) && i != segments.size() - 1) {
        throw invalid(
            "pattern",
            pattern,
            "'**' may only be the last segment (it matches the rest of the topic)");
      }
      if (segment.contains(ONE) && !segment.equals(ONE) && !segment.equals(REST)) {
        throw invalid(
            "pattern",
            pattern,
            "segment '"
                + segment
                + "' mixes '*' with other characters; a wildcard must be a whole segment ('*' or"
                + " '**')");
      }
    }
    return new TopicPattern(pattern, segments);
  }

  /**
   * Checks that {@code topic} is a concrete topic one can publish to.
   *
   * @return the topic
   * @throws IllegalArgumentException naming the topic and what is wrong with it (empty segment,
   *     wildcard, leading {@code @}, whitespace, too long)
   * @throws NullPointerException if {@code topic} is null
   */
  public static String requireTopic(String topic) {
    split("topic", topic);
    if (topic.contains(ONE)) {
      throw invalid(
          "topic",
          topic,
          "a published topic must be concrete; wildcards ('*', '**') belong in subscription"
              + " patterns");
    }
    return topic;
  }

  /** The pattern as written. */
  public String pattern() {
    return pattern;
  }

  /** Returns whether the pattern has no wildcard, so it matches only the topic equal to it. */
  public boolean isExact() {
    return exact;
  }

  /**
   * Returns whether {@code topic} matches this pattern. The topic is assumed valid (see {@link
   * #requireTopic}); an invalid one simply may not match.
   */
  public boolean matches(String topic) {
    if (exact) {
      return pattern.equals(topic);
    }
    int position = 0; // start of the topic's current segment
    int fixed = openEnded ? segments.size() - 1 : segments.size();
    for (int i = 0; i < fixed; i++) {
      if (position > topic.length()) {
        return false; // the topic has fewer segments than the pattern
      }
      int end = topic.indexOf('.', position);
      if (end < 0) {
        end = topic.length();
      }
      String segment = segments.get(i);
      if (!segment.equals(ONE)
          && !(segment.length() == end - position
              && topic.regionMatches(position, segment, 0, segment.length()))) {
        return false;
      }
      position = end + 1;
    }
    // Every fixed segment matched; position is past the end exactly when the topic ended there.
    return openEnded || position == topic.length() + 1;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof TopicPattern that && pattern.equals(that.pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return pattern;
  }

  private static List<String> split(String what, String text) {
    requireNonNull(text, what);
    if (text.isEmpty()) {
      throw invalid(what, text, "it is empty");
    }
    if (text.length() > MAX_LENGTH) {
      throw invalid(what, text.substring(0, 40) + "...", "it is longer than " + MAX_LENGTH);
    }
    if (text.startsWith("@")) {
      throw invalid(
          what, text, "topics starting with '@' are reserved for the process runtime (@exit...)");
    }
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (isInvisible(c)) {
        throw invalid(
            what,
            text,
            "it contains whitespace or a control or format character (U+"
                + String.format("%04X", c)
                + ") at index "
                + i);
      }
      i += Character.charCount(c);
    }
    List<String> segments = List.of(text.split("\\.", -1));
    for (String segment : segments) {
      if (segment.isEmpty()) {
        throw invalid(what, text, "it has an empty segment (a leading, trailing or doubled '.')");
      }
      if (segment.equals("#")) {
        throw invalid(
            what,
            text,
            "'#' is AMQP's multi-segment wildcard; here it is written '**' (for example"
                + " 'orders.**')");
      }
    }
    return segments;
  }

  /** Whitespace, space separators (no-break spaces too), control and format characters. */
  private static boolean isInvisible(int c) {
    int type = Character.getType(c);
    return Character.isWhitespace(c)
        || Character.isSpaceChar(c)
        || type == Character.FORMAT
        || type == Character.CONTROL;
  }

  private static IllegalArgumentException invalid(String what, String text, String reason) {
    return new IllegalArgumentException("invalid event " + what + " '" + text + "': " + reason);
  }
}
