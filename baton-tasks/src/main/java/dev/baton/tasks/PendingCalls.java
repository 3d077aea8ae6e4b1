package dev.baton.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The caller's remote calls that have no outcome yet: what {@link TaskApp#close()} fails with
 * SHUTDOWN. (Local calls are failed through their queues.)
 *
 * <p>Concurrency: a concurrent map; a call adds itself when made and removes itself when it gets
 * its outcome (from whichever thread delivered it).
 */
final class PendingCalls {

  // Results by identity: two calls sharing an idempotency key share a TaskKey, not a result.
  private final Set<CallResult<?>> calls = ConcurrentHashMap.newKeySet();

  void add(CallResult<?> result) {
    calls.add(result);
  }

  void remove(CallResult<?> result) {
    calls.remove(result);
  }

  /** Fails every pending call with the error {@code why} gives for it. */
  void failAll(Function<TaskKey, TaskError> why) {
    List<CallResult<?>> snapshot = new ArrayList<>(calls);
    for (CallResult<?> result : snapshot) {
      result.fail(why.apply(result.key()), 1);
    }
  }
}
