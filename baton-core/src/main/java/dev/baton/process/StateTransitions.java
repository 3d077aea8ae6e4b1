package dev.baton.process;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transitions the runtime has made, checked against {@link ProcessState#next()}. Called only
 * from {@code assert} statements, so it costs nothing unless assertions are enabled (tests).
 */
final class StateTransitions {
  private static final Set<String> OBSERVED = ConcurrentHashMap.newKeySet();
  private static final Set<String> VIOLATIONS = ConcurrentHashMap.newKeySet();

  private StateTransitions() {}

  /** Checks and records {@code from -> to}; returns true so it can sit in an assert. */
  static boolean record(ProcessState from, ProcessState to) {
    if (!from.next().contains(to)) {
      // Recorded as well as thrown: on a worker the error only fails the process, and the tests
      // check this set so the violation cannot go unnoticed.
      VIOLATIONS.add(name(from, to));
      throw new AssertionError("illegal process state transition " + from + " -> " + to);
    }
    OBSERVED.add(name(from, to));
    return true;
  }

  /** The transitions recorded so far in this JVM, as "FROM -> TO". */
  static Set<String> observed() {
    return Set.copyOf(OBSERVED);
  }

  /** The illegal transitions attempted so far in this JVM; empty unless the runtime has a bug. */
  static Set<String> violations() {
    return Set.copyOf(VIOLATIONS);
  }

  static String name(ProcessState from, ProcessState to) {
    return from + " -> " + to;
  }
}
