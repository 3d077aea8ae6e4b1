package dev.baton.tasks;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which {@link TaskState} transitions calls took in this JVM, and how many refused moves were
 * attempted: the evidence behind the test that every transition of the table is exercised, and that
 * the runtime never makes an illegal one. Recording is a map update under a lock on the
 * transition's source state, so it costs little beside a call.
 */
final class TaskStateTransitions {

  private static final Map<TaskState, Set<TaskState>> SEEN = new EnumMap<>(TaskState.class);
  private static final LongAdder VIOLATIONS = new LongAdder();

  static {
    for (TaskState state : TaskState.values()) {
      SEEN.put(state, EnumSet.noneOf(TaskState.class));
    }
  }

  private TaskStateTransitions() {}

  static void record(TaskState from, TaskState to) {
    Set<TaskState> seen = java.util.Objects.requireNonNull(SEEN.get(from));
    synchronized (seen) {
      seen.add(to);
    }
  }

  static void violation(TaskState from, TaskState to) {
    VIOLATIONS.increment();
  }

  /** The transitions seen so far, per source state. */
  static Map<TaskState, Set<TaskState>> seen() {
    Map<TaskState, Set<TaskState>> copy = new EnumMap<>(TaskState.class);
    for (Map.Entry<TaskState, Set<TaskState>> entry : SEEN.entrySet()) {
      synchronized (entry.getValue()) {
        copy.put(entry.getKey(), EnumSet.copyOf(entry.getValue()));
      }
    }
    return copy;
  }

  static long violations() {
    return VIOLATIONS.sum();
  }
}
