package dev.baton.dispatch;

/**
 * The identity of a kind of command: an unsigned 16-bit number.
 *
 * <p>Ids below {@link #FIRST_CUSTOM} are <em>system</em> ids, looked up by array index; the ids of
 * Baton's standard modules are published in {@link CommandRanges}. Ids from {@link #FIRST_CUSTOM}
 * up are <em>custom</em> ids for user-defined services.
 *
 * @param value the id, from 0 to {@link #MAX_VALUE}
 */
public record CommandId(int value) implements Comparable<CommandId> {
  /** The largest id: command ids are unsigned 16-bit numbers. */
  public static final int MAX_VALUE = 0xFFFF;

  /** The first custom id; the ids below it are system ids. */
  public static final int FIRST_CUSTOM = 256;

  /** Rejects values outside the unsigned 16-bit range. */
  public CommandId {
    if (value < 0 || value > MAX_VALUE) {
      throw new IllegalArgumentException(
          "a command id is an unsigned 16-bit number (0.." + MAX_VALUE + "), not " + value);
    }
  }

  /** Returns the id {@code value}. */
  public static CommandId of(int value) {
    return new CommandId(value);
  }

  /** Returns whether this is a system id (below {@link #FIRST_CUSTOM}). */
  public boolean isSystem() {
    return value < FIRST_CUSTOM;
  }

  @Override
  public int compareTo(CommandId other) {
    return Integer.compare(value, other.value);
  }

  @Override
  public String toString() {
    return "command " + value;
  }
}
