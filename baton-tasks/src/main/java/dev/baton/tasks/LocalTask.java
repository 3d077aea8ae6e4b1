package dev.baton.tasks;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A call in local mode: the task, its corrected arguments and the caller's result, passed to a
 * worker as an object.
 *
 * <p>Concurrency: {@code attempt} is written by the worker that runs the task before it hands the
 * task on (to the timer for a retry, or to a queue), which orders the write before the next reader.
 * {@code stopReason} and {@code running} are volatile because a caller's cancel or timeout reads
 * and writes them from its own thread; {@link #stop} sets the reason before it looks for a running
 * attempt, and the worker publishes the attempt before it re-reads the reason, so one of the two
 * always sees the other.
 */
final class LocalTask {
  final TaskEntry entry;
  final TaskKey key;
  final TaskOptions options;
  final @Nullable Object[] arguments;
  final CallResult<?> result;
  final Instant createdAt;
  int attempt = 1;
  private volatile @Nullable ErrorCode stopReason;
  private volatile @Nullable RunningAttempt running;

  LocalTask(
      TaskEntry entry,
      TaskKey key,
      TaskOptions options,
      @Nullable Object[] arguments,
      CallResult<?> result,
      Instant createdAt) {
    this.entry = entry;
    this.key = key;
    this.options = options;
    this.arguments = arguments;
    this.result = result;
    this.createdAt = createdAt;
  }

  /** Stops the task: it will not start, and a running attempt is cancelled. */
  void stop(ErrorCode reason) {
    stopReason = reason;
    RunningAttempt attempt = running;
    if (attempt != null) {
      attempt.cancel(reason);
    }
  }

  @Nullable ErrorCode stopReason() {
    return stopReason;
  }

  /** Publishes the running attempt; cancels it at once if the task was stopped meanwhile. */
  void started(RunningAttempt attempt) {
    running = attempt;
    ErrorCode reason = stopReason;
    if (reason != null) {
      attempt.cancel(reason);
    }
  }

  void finished() {
    running = null;
  }
}
