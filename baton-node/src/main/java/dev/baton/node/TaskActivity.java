package dev.baton.node;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.dashboard.NodeSnapshot;
import dev.baton.dashboard.TaskRow;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskObserver;
import dev.baton.tasks.TaskState;
import dev.baton.tasks.TraceParent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What the node's task app reports, kept for the dashboard and metrics: counters since start, the
 * most recent calls (a bounded table keyed by call id, newest first), and an optional listener for
 * per-task meters ({@link NodeMetrics}).
 *
 * <p>Design: the observer runs on task threads, so the counters are {@link LongAdder}s and the
 * recent table is one short critical section per event (a linked map moved to its tail on each
 * update and trimmed to {@link #CAPACITY}); readers copy it under the same lock.
 */
final class TaskActivity implements TaskObserver {
  /** How many calls the recent table keeps. */
  static final int CAPACITY = 1000;

  /** Per-task meters; set before the task app is used. */
  interface Meters {
    void sent(String task);

    void attempt(String task, AttemptOutcome outcome, Duration took);

    void deadLettered(String task);

    void callFinished(String task, TaskState state, @Nullable TaskError error, Duration latency);
  }

  private final LongAdder sent = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private volatile @Nullable Meters meters;

  @GuardedBy("this")
  private final LinkedHashMap<String, TaskRow> recent = new LinkedHashMap<>();

  void meters(Meters meters) {
    this.meters = meters;
  }

  @Override
  public void sent(TaskKey key, String queue, TraceParent trace) {
    sent.increment();
    Meters m = meters;
    if (m != null) {
      m.sent(key.name());
    }
    record(key, TaskState.SENT.name(), 0, null, trace.traceId(), -1);
  }

  @Override
  public void attemptStarted(TaskKey key, int attempt, TraceParent trace) {
    record(key, TaskState.RECEIVED.name(), attempt, null, trace.traceId(), -1);
  }

  @Override
  public void attemptFinished(
      TaskKey key, int attempt, AttemptOutcome outcome, @Nullable TaskError error, Duration took) {
    switch (outcome) {
      case SUCCEEDED -> succeeded.increment();
      case RETRYING -> retried.increment();
      case FAILED -> failed.increment();
      case DEAD_LETTERED -> {} // counted by deadLettered(), which the worker side calls too
    }
    Meters m = meters;
    if (m != null) {
      m.attempt(key.name(), outcome, took);
    }
    String state =
        switch (outcome) {
          case SUCCEEDED -> TaskState.SUCCEEDED.name();
          case RETRYING -> TaskState.RETRYING.name();
          case FAILED -> TaskState.FAILED.name();
          case DEAD_LETTERED -> TaskState.DEAD.name();
        };
    record(key, state, attempt, error, null, took.toMillis());
  }

  @Override
  public void deadLettered(TaskKey key, String queue, TaskError error) {
    deadLettered.increment();
    Meters m = meters;
    if (m != null) {
      m.deadLettered(key.name());
    }
    record(key, TaskState.DEAD.name(), -1, error, null, -2);
  }

  @Override
  public void callFinished(
      TaskKey key, TaskState state, @Nullable TaskError error, Duration latency) {
    Meters m = meters;
    if (m != null) {
      m.callFinished(key.name(), state, error, latency);
    }
    record(key, state.name(), -1, error, null, latency.toMillis());
  }

  /**
   * Updates the call's row. {@code attempt} -1 keeps the row's attempt; {@code traceId} null keeps
   * the row's; {@code millis} -2 keeps the row's.
   */
  private synchronized void record(
      TaskKey key,
      String state,
      int attempt,
      @Nullable TaskError error,
      @Nullable String traceId,
      long millis) {
    TaskRow previous = recent.remove(key.id());
    int rowAttempt = attempt >= 0 ? attempt : previous != null ? previous.attempt() : 0;
    String rowTrace = traceId != null ? traceId : previous != null ? previous.traceId() : "-";
    long rowMillis = millis != -2 ? millis : previous != null ? previous.millis() : -1;
    recent.put(
        key.id(),
        new TaskRow(
            key.name(),
            key.id(),
            state,
            rowAttempt,
            error == null ? null : error.code().name(),
            error == null ? null : error.message(),
            rowTrace,
            Instant.now(),
            rowMillis));
    if (recent.size() > CAPACITY) {
      Iterator<String> eldest = recent.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
  }

  /** Up to {@code limit} rows, newest first. */
  synchronized List<TaskRow> recent(int limit) {
    List<TaskRow> rows = new ArrayList<>(Math.min(limit, recent.size()));
    for (TaskRow row : recent.sequencedValues().reversed()) {
      if (rows.size() == limit) {
        break;
      }
      rows.add(row);
    }
    return rows;
  }

  NodeSnapshot.TaskCounts counts() {
    return new NodeSnapshot.TaskCounts(
        sent.sum(), succeeded.sum(), failed.sum(), retried.sum(), deadLettered.sum());
  }

  /** For tests: the recent table's size. */
  synchronized int size() {
    return recent.size();
  }
}
