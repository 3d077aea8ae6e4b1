package dev.baton.dispatch;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The immutable lookup table a {@link Registry} publishes when it freezes.
 *
 * <p>System ids index an array directly. Custom ids live in an open-addressed table with linear
 * probing, keyed by the primitive id so that a lookup boxes nothing; 0 marks an empty slot (it is a
 * system id and never stored here), and the table is at most half full, so a miss ends at the first
 * empty slot. Every field is final and never written after construction: safe to read from any
 * thread once the instance is published.
 */
final class FrozenHandlers {
  private final @Nullable Handler[] system;
  private final int[] customIds;
  private final @Nullable Handler[] customHandlers;
  private final int mask;
  private final Handler unknownCommand;

  FrozenHandlers(@Nullable Handler[] system, Map<Integer, Handler> custom, Handler unknownCommand) {
    this.system = system.clone();
    this.unknownCommand = unknownCommand;
    int capacity = Integer.highestOneBit(Math.max(1, custom.size() * 2)) * 2;
    this.customIds = new int[capacity];
    this.customHandlers = new Handler[capacity];
    this.mask = capacity - 1;
    custom.forEach(
        (id, handler) -> {
          int slot = spread(id) & mask;
          while (customIds[slot] != 0) {
            slot = (slot + 1) & mask;
          }
          customIds[slot] = id;
          customHandlers[slot] = handler;
        });
  }

  @Nullable Handler get(int id) {
    if (id >= 0 && id < CommandId.FIRST_CUSTOM) {
      return system[id];
    }
    return getCustom(id);
  }

  /** The handler for ids nobody handles, with the interceptors around it. */
  Handler unknownCommand() {
    return unknownCommand;
  }

  private @Nullable Handler getCustom(int id) {
    int slot = spread(id) & mask;
    while (true) {
      int stored = customIds[slot];
      if (stored == id) {
        return customHandlers[slot];
      }
      if (stored == 0) {
        return null;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Scatters neighbouring ids across the table (Fibonacci hashing). */
  private static int spread(int id) {
    int hash = id * 0x9E3779B9;
    return hash ^ (hash >>> 16);
  }
}
