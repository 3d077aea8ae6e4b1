package dev.baton.node;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One mapping of a parsed YAML document, read strictly: each getter names the key it reads, so
 * {@link #finish()} can reject every key nobody asked for (with the closest known key as a
 * suggestion); a value of the wrong type or form fails with the dotted path, the value and what is
 * accepted. Strings get {@code ${ENV}} / {@code ${ENV:-default}} substitution. Not thread-safe: one
 * reader walks one document.
 */
final class ConfigTree {
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /** The longest duration accepted, in days: about what fits in a long of nanoseconds. */
  private static final long MAX_DAYS = Long.MAX_VALUE / Duration.ofDays(1).toNanos();

  private final String source;
  private final String path;
  private final Map<String, @Nullable Object> map;
  private final Function<String, @Nullable String> env;
  private final Set<String> known = new LinkedHashSet<>();

  private ConfigTree(
      String source,
      String path,
      Map<String, @Nullable Object> map,
      Function<String, @Nullable String> env) {
    this.source = source;
    this.path = path;
    this.map = map;
    this.env = env;
  }

  /** The document's root; {@code document} is what the YAML loader returned (null when empty). */
  static ConfigTree root(
      @Nullable Object document, String source, Function<String, @Nullable String> env) {
    if (document == null) {
      return new ConfigTree(source, "", new LinkedHashMap<>(), env);
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new NodeConfigException(
          source
              + ": the document is a "
              + kind(document)
              + "; a node configuration is a mapping"
              + " (key: value lines such as 'name: my-node')");
    }
    return new ConfigTree(source, "", keyed(source, "", map), env);
  }

  private static Map<String, @Nullable Object> keyed(String source, String path, Map<?, ?> map) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw new NodeConfigException(
            source
                + ": "
                + (path.isEmpty() ? "" : path + ": ")
                + "key "
                + entry.getKey()
                + " is not a name; keys are words such as 'enabled'");
      }
      out.put(key, entry.getValue());
    }
    return out;
  }

  private String at(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private NodeConfigException error(String key, String message) {
    return new NodeConfigException(source + ": " + at(key) + ": " + message);
  }

  /** A nested mapping; an absent key reads as an empty one. */
  ConfigTree section(String key) {
    known.add(key);
    Object value = map.get(key);
    if (value == null) {
      return new ConfigTree(source, at(key), new LinkedHashMap<>(), env);
    }
    if (!(value instanceof Map<?, ?> nested)) {
      throw error(key, describe(value) + " is not a section; write it as a mapping of keys");
    }
    return new ConfigTree(source, at(key), keyed(source, at(key), nested), env);
  }

  /** The keys present in this mapping (for sections whose keys are names, such as databases). */
  List<String> keys() {
    known.addAll(map.keySet());
    return List.copyOf(map.keySet());
  }

  String string(String key, String otherwise) {
    String value = optionalString(key);
    return value != null ? value : otherwise;
  }

  @Nullable String optionalString(String key) {
    known.add(key);
    Object value = map.get(key);
    if (value == null) {
      return null;
    }
    if (value instanceof String text) {
      return substitute(key, text);
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    throw error(key, describe(value) + " is not a text value; write a string");
  }

  boolean bool(String key, boolean otherwise) {
    known.add(key);
    Object value = map.get(key);
    if (value == null) {
      return otherwise;
    }
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof String text) {
      String substituted = substitute(key, text).trim().toLowerCase(Locale.ROOT);
      if (substituted.equals("true")) {
        return true;
      }
      if (substituted.equals("false")) {
        return false;
      }
    }
    throw error(key, describe(value) + " is not a boolean; use true or false");
  }

  int integer(String key, int otherwise, int min, int max, String accepted) {
    known.add(key);
    Object value = map.get(key);
    if (value == null) {
      return otherwise;
    }
    long number;
    if (value instanceof Integer || value instanceof Long) {
      number = ((Number) value).longValue();
    } else if (value instanceof String text) {
      try {
        number = Long.parseLong(substitute(key, text).trim());
      } catch (NumberFormatException e) {
        throw error(key, describe(value) + " is not a whole number; use " + accepted);
      }
    } else {
      throw error(key, describe(value) + " is not a whole number; use " + accepted);
    }
    if (number < min || number > max) {
      throw error(key, number + " is out of range; use " + accepted);
    }
    return (int) number;
  }

  Duration duration(String key, Duration otherwise) {
    known.add(key);
    Object value = map.get(key);
    if (value == null) {
      return otherwise;
    }
    String text = value instanceof String s ? substitute(key, s).trim() : String.valueOf(value);
    Matcher matcher = DURATION.matcher(text);
    if (!matcher.matches()) {
      throw error(
          key,
          describe(value)
              + " is not a duration; write a number with a unit: 250ms, 10s, 2m, 1h, 1d");
    }
    try {
      long amount = Long.parseLong(matcher.group(1));
      Duration duration =
          switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          };
      var _ = duration.toNanos(); // the scheduler and the task app wait in nanoseconds
      return duration;
    } catch (NumberFormatException | ArithmeticException tooLong) {
      throw error(key, describe(value) + " is too long; use at most " + MAX_DAYS + "d");
    }
  }

  /** One of {@code choices} (case-insensitive), returned lower-case. */
  String choice(String key, String otherwise, List<String> choices) {
    String value = optionalString(key);
    if (value == null) {
      return otherwise;
    }
    String lower = value.trim().toLowerCase(Locale.ROOT);
    if (!choices.contains(lower)) {
      throw error(key, quote(value) + " is not accepted; use one of " + String.join(", ", choices));
    }
    return lower;
  }

  /**
   * A URI with one of {@code schemes} and a host; {@code what} names it ("a broker URI") and {@code
   * accepted} shows the accepted forms.
   */
  @Nullable URI uri(String key, List<String> schemes, String what, String accepted) {
    String value = optionalString(key);
    if (value == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      throw error(
          key,
          quote(redact(value)) + " is not " + what + " (" + e.getReason() + "); use " + accepted);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!schemes.contains(scheme) || uri.getHost() == null) {
      throw error(key, quote(redact(value)) + " is not " + what + "; use " + accepted);
    }
    return uri;
  }

  /** A list of strings; a single string reads as a one-element list. */
  List<String> strings(String key) {
    known.add(key);
    Object value = map.get(key);
    if (value == null) {
      return List.of();
    }
    if (value instanceof String text) {
      return List.of(substitute(key, text));
    }
    if (!(value instanceof List<?> list)) {
      throw error(key, describe(value) + " is not a list; write [a, b] or one '- item' per line");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      if (!(item instanceof String text)) {
        throw error(key + "[" + i + "]", describe(item) + " is not a text value; write a name");
      }
      out.add(substitute(key + "[" + i + "]", text));
    }
    return List.copyOf(out);
  }

  /** Rejects the keys of this mapping that no getter asked for, suggesting the closest one. */
  void finish() {
    for (String key : map.keySet()) {
      if (!known.contains(key)) {
        String suggestion =
            known.stream()
                .min(Comparator.comparingInt(candidate -> distance(key, candidate)))
                .filter(candidate -> distance(key, candidate) <= Math.max(2, key.length() / 3))
                .map(candidate -> "; did you mean '" + at(candidate) + "'?")
                .orElse("");
        String accepted =
            known.isEmpty()
                ? " (this section takes no keys)"
                : " (known keys here: " + String.join(", ", known) + ")";
        throw error(key, "unknown key" + suggestion + accepted);
      }
    }
  }

  private String substitute(String key, String text) {
    Matcher matcher = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      String value = env.apply(name);
      if (value == null) {
        if (matcher.group(2) == null) {
          throw error(
              key,
              "environment variable "
                  + name
                  + " is not set; set it, or give a default as ${"
                  + name
                  + ":-default}");
        }
        value = matcher.group(3);
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static final Pattern PASSWORD = Pattern.compile("(//[^/@:]*:)[^/@]*@");

  /**
   * {@code text} with the password of any {@code scheme://user:password@host} in it replaced by
   * {@code ***}, for messages and {@code toString}; works on text that does not parse as a URI.
   */
  static String redact(String text) {
    return PASSWORD.matcher(text).replaceAll("$1***@");
  }

  private static String describe(@Nullable Object value) {
    if (value instanceof String text) {
      return quote(text);
    }
    if (value instanceof Map<?, ?>) {
      return "a mapping";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    return String.valueOf(value);
  }

  private static String quote(String text) {
    return "\"" + text + "\"";
  }

  private static String kind(Object value) {
    return value instanceof List<?> ? "list" : "single value";
  }

  /** Levenshtein distance, case-insensitive. */
  static int distance(String a, String b) {
    String x = a.toLowerCase(Locale.ROOT);
    String y = b.toLowerCase(Locale.ROOT);
    int[] previous = new int[y.length() + 1];
    int[] current = new int[y.length() + 1];
    for (int j = 0; j <= y.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= x.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= y.length(); j++) {
        int cost = x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[y.length()];
  }
}
