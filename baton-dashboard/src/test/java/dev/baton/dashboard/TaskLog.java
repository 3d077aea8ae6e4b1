package dev.baton.dashboard;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskObserver;
import dev.baton.tasks.TaskState;
import dev.baton.tasks.TraceParent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The test node's recent tasks and task counters, as a real {@link TaskObserver} of its task app
 * hears them: one row per call, moved to the front when anything happens to it.
 */
final class TaskLog implements TaskObserver {
  private static final int KEEP = 500;

  @GuardedBy("this")
  private final LinkedHashMap<String, TaskRow> rows = new LinkedHashMap<>();

  final AtomicLong sent = new AtomicLong();
  final AtomicLong succeeded = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong retried = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();

  @Override
  public void sent(TaskKey key, String queue, TraceParent trace) {
    sent.incrementAndGet();
    put(key, "SENT", 0, null, trace.traceId(), -1);
  }

  @Override
  public void attemptStarted(TaskKey key, int attempt, TraceParent trace) {
    put(key, "RECEIVED", attempt, null, trace.traceId(), -1);
  }

  @Override
  public void attemptFinished(
      TaskKey key, int attempt, AttemptOutcome outcome, @Nullable TaskError error, Duration took) {
    String state =
        switch (outcome) {
          case SUCCEEDED -> {
            succeeded.incrementAndGet();
            yield TaskState.SUCCEEDED.name();
          }
          case RETRYING -> {
            retried.incrementAndGet();
            yield TaskState.RETRYING.name();
          }
          case FAILED -> {
            failed.incrementAndGet();
            yield TaskState.FAILED.name();
          }
          case DEAD_LETTERED -> TaskState.DEAD.name();
        };
    put(key, state, attempt, error, null, took.toMillis());
  }

  @Override
  public void deadLettered(TaskKey key, String queue, TaskError error) {
    deadLettered.incrementAndGet();
    put(key, TaskState.DEAD.name(), -1, error, null, -2);
  }

  @Override
  public void callFinished(
      TaskKey key, TaskState state, @Nullable TaskError error, Duration latency) {
    put(key, state.name(), -1, error, null, latency.toMillis());
  }

  /**
   * Records what happened to {@code key}; {@code attempt} -1 and {@code traceId} null keep the
   * row's, {@code millis} -2 keeps the row's.
   */
  private synchronized void put(
      TaskKey key,
      String state,
      int attempt,
      @Nullable TaskError error,
      @Nullable String traceId,
      long millis) {
    TaskRow old = rows.remove(key.id());
    int a = attempt >= 0 ? attempt : old == null ? 0 : old.attempt();
    String trace = traceId != null ? traceId : old == null ? "" : old.traceId();
    long ms = millis != -2 ? millis : old == null ? -1 : old.millis();
    rows.put(
        key.id(),
        new TaskRow(
            key.name(),
            key.id(),
            state,
            a,
            error == null ? null : error.code().name(),
            error == null ? null : error.message(),
            trace,
            Instant.now(),
            ms));
    if (rows.size() > KEEP) {
      rows.remove(rows.keySet().iterator().next());
    }
  }

  /** Up to {@code limit} rows, newest first. */
  synchronized List<TaskRow> recent(int limit) {
    List<TaskRow> newestFirst = new ArrayList<>(rows.values()).reversed();
    return List.copyOf(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
  }
}
