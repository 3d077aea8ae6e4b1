package dev.baton.eval;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of a command a script yielded ({@code baton.command(id, args)}), already converted
 * to Java values as {@link Eval} describes, with typed readers for {@link ScriptCommand} factories.
 * A reader that finds a missing or mistyped argument throws {@link IllegalArgumentException} naming
 * it; the script process then fails with a {@link ScriptCommandException}. Immutable.
 */
public final class ScriptArgs {
  private final Map<String, @Nullable Object> values;

  /**
   * @param values the arguments by name
   */
  public ScriptArgs(Map<String, @Nullable Object> values) {
    this.values = requireNonNull(values, "values");
  }

  /** Every argument, by name, unmodifiable. */
  public Map<String, @Nullable Object> asMap() {
    return values;
  }

  /** The argument {@code name}, or null if absent or null. */
  public @Nullable Object value(String name) {
    return values.get(name);
  }

  /** The string argument {@code name}; required. */
  public String string(String name) {
    if (values.get(name) instanceof String text) {
      return text;
    }
    throw mistyped(name, "a string");
  }

  /** The string argument {@code name}, or {@code otherwise} if it is absent or null. */
  public String string(String name, String otherwise) {
    return values.get(name) == null ? otherwise : string(name);
  }

  /** The integral number argument {@code name}; required. */
  public long longValue(String name) {
    if (values.get(name) instanceof Long number) {
      return number;
    }
    throw mistyped(name, "an integer");
  }

  /** The list argument {@code name}, or an empty list if absent or null. */
  public List<@Nullable Object> list(String name) {
    Object value = values.get(name);
    if (value == null) {
      return List.of();
    }
    if (value instanceof List<?> list) {
      @SuppressWarnings("unchecked") // lists made by the conversion hold plain values
      List<@Nullable Object> values = (List<@Nullable Object>) list;
      return values;
    }
    throw mistyped(name, "an array");
  }

  private IllegalArgumentException mistyped(String name, String what) {
    Object value = values.get(name);
    return new IllegalArgumentException(
        "argument '"
            + name
            + "' must be "
            + what
            + ", was "
            + (value == null ? "missing" : value.getClass().getSimpleName() + " " + value));
  }

  @Override
  public String toString() {
    return "ScriptArgs" + values;
  }
}
