package dev.baton.process;

import dev.baton.dispatch.Command;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The commands a process has yielded and not yet seen completed, by tag: an open-addressed table
 * with linear probing over parallel arrays, so that tracking a yield boxes nothing and allocates
 * nothing once the table has grown to the process's usual number of yields in flight.
 *
 * <p>Tag 0 marks an empty slot (tags are positive). Deletion shifts later entries of the same probe
 * run back, so there are no tombstones. Not thread-safe: guarded by its process's lock.
 */
final class PendingYields {
  private static final int INITIAL_CAPACITY = 4;

  // Until the first yield every table shares these one-slot arrays, which stay empty (add grows
  // first, and nothing else writes an empty slot): an idle process pays for no table, and a single
  // empty slot keeps find() correct without a special case.
  private static final long[] NO_TAGS = new long[1];
  private static final @Nullable Command<?>[] NO_COMMANDS = new Command<?>[1];
  private static final @Nullable DeadlineYield[] NO_DEADLINES = new DeadlineYield[1];
  private static final boolean[] NO_TIMEOUTS = new boolean[1];

  private long[] tags = NO_TAGS;
  private @Nullable Command<?>[] commands = NO_COMMANDS;
  private @Nullable DeadlineYield[] deadlines = NO_DEADLINES;
  private boolean[] timedOut = NO_TIMEOUTS;
  private int size;

  /** Returns the slot of {@code tag}, or -1 if it is not pending. */
  int find(long tag) {
    int mask = tags.length - 1;
    for (int slot = index(tag, mask); ; slot = (slot + 1) & mask) {
      long stored = tags[slot];
      if (stored == tag) {
        return slot;
      }
      if (stored == 0) {
        return -1;
      }
    }
  }

  /** Adds {@code tag}, which must not be pending. */
  void add(long tag, Command<?> command) {
    if ((size + 1) * 2 > tags.length) {
      grow(Math.max(INITIAL_CAPACITY, tags.length * 2));
    }
    int mask = tags.length - 1;
    int slot = index(tag, mask);
    while (tags[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    tags[slot] = tag;
    commands[slot] = command;
    size++;
  }

  Command<?> command(int slot) {
    Command<?> command = commands[slot];
    if (command == null) {
      throw new IllegalStateException("empty slot " + slot);
    }
    return command;
  }

  @Nullable DeadlineYield deadline(int slot) {
    return deadlines[slot];
  }

  void setDeadline(int slot, DeadlineYield deadline) {
    deadlines[slot] = deadline;
  }

  boolean isTimedOut(int slot) {
    return timedOut[slot];
  }

  void markTimedOut(int slot) {
    timedOut[slot] = true;
    deadlines[slot] = null;
  }

  /** Removes the entry at {@code slot}, shifting back the entries probed past it. */
  void removeAt(int slot) {
    int mask = tags.length - 1;
    int hole = slot;
    for (int next = (hole + 1) & mask; tags[next] != 0; next = (next + 1) & mask) {
      int home = index(tags[next], mask);
      // The entry at `next` may move into the hole unless its home lies cyclically in (hole, next].
      boolean staysPut = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!staysPut) {
        move(next, hole);
        hole = next;
      }
    }
    tags[hole] = 0;
    commands[hole] = null;
    deadlines[hole] = null;
    timedOut[hole] = false;
    size--;
  }

  /**
   * Cancels every armed deadline's timer; the entries stay, so late completions can release
   * commands, and the process's cancellation still reaches the yields' work.
   */
  void cancelDeadlines() {
    for (int slot = 0; slot < deadlines.length; slot++) {
      DeadlineYield deadline = deadlines[slot];
      if (deadline != null) {
        deadline.cancelTimer();
        deadlines[slot] = null;
      }
    }
  }

  /** Calls {@code action} with every pending command. */
  void forEachCommand(Consumer<Command<?>> action) {
    for (Command<?> command : commands) {
      if (command != null) {
        action.accept(command);
      }
    }
  }

  int size() {
    return size;
  }

  private void move(int from, int to) {
    tags[to] = tags[from];
    commands[to] = commands[from];
    deadlines[to] = deadlines[from];
    timedOut[to] = timedOut[from];
  }

  private void grow(int capacity) {
    long[] oldTags = tags;
    @Nullable Command<?>[] oldCommands = commands;
    @Nullable DeadlineYield[] oldDeadlines = deadlines;
    boolean[] oldTimedOut = timedOut;
    tags = new long[capacity];
    commands = new Command<?>[capacity];
    deadlines = new DeadlineYield[capacity];
    timedOut = new boolean[capacity];
    int mask = capacity - 1;
    for (int old = 0; old < oldTags.length; old++) {
      if (oldTags[old] != 0) {
        int slot = index(oldTags[old], mask);
        while (tags[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        tags[slot] = oldTags[old];
        commands[slot] = oldCommands[old];
        deadlines[slot] = oldDeadlines[old];
        timedOut[slot] = oldTimedOut[old];
      }
    }
  }

  private static int index(long tag, int mask) {
    long hash = tag * 0x9E3779B97F4A7C15L;
    return (int) (hash ^ (hash >>> 32)) & mask;
  }
}
