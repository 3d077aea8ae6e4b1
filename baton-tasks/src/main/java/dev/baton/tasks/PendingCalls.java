package dev.baton.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The caller's calls that have no outcome yet: where remote reports find their call, and what
 * {@link TaskApp#close()} fails with SHUTDOWN.
 *
 * <p>Concurrency: a concurrent map; a call adds itself when made and removes itself when it gets
 * its outcome (from whichever thread delivered it).
 */
final class PendingCalls {

  private final Map<TaskKey, CallResult<?>> calls = new ConcurrentHashMap<>();

  void add(CallResult<?> result) {
    calls.put(result.key(), result);
  }

  @Nullable CallResult<?> find(TaskKey key) {
    return calls.get(key);
  }

  void remove(CallResult<?> result) {
    calls.remove(result.key(), result);
  }

  int size() {
    return calls.size();
  }

  /** Fails every pending call with the error {@code why} gives for it. */
  void failAll(Function<TaskKey, TaskError> why) {
    List<CallResult<?>> snapshot = new ArrayList<>(calls.values());
    for (CallResult<?> result : snapshot) {
      result.fail(why.apply(result.key()), 1);
    }
  }
}
