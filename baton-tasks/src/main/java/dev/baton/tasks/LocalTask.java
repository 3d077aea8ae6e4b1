package dev.baton.tasks;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A call in local mode: the task, its corrected arguments and the caller's result, passed to a
 * worker as an object. It is also the call's stop action (the result's {@code onStop}) and the
 * {@linkplain RunningAttempt.Owner owner} of its attempts, so a call allocates no closures for
 * them. When the call was made is its result's {@link CallResult#createdNanos()}, kept once.
 *
 * <p>Concurrency: {@code result} is set once by the caller right after construction, before the
 * task is queued (the queue hands it over). {@code attempt} is written by the worker that runs the
 * task before it hands the task on (to the timer for a retry, or to a queue), which orders the
 * write before the next reader. {@code stopReason} and {@code running} are volatile because a
 * caller's cancel or timeout reads and writes them from its own thread; {@link #stop} sets the
 * reason before it looks for a running attempt, and the worker publishes the attempt before it
 * re-reads the reason, so one of the two always sees the other. The call's trace is made on first
 * use, under {@code this}, from whichever thread asks first (the caller's observer, an attempt).
 */
final class LocalTask implements Consumer<ErrorCode>, RunningAttempt.Owner {
  final TaskEntry entry;
  final TaskKey key;
  final TaskOptions options;
  final @Nullable Object[] arguments;
  private final AppServices services;

  @SuppressWarnings("NullAway.Init") // set by the caller before the task is shared
  CallResult<?> result;

  int attempt = 1;
  private volatile @Nullable ErrorCode stopReason;
  private volatile @Nullable RunningAttempt running;

  /** The trace the call carries: the caller's choice, else a new one made on first use. */
  @GuardedBy("this")
  private @Nullable TraceParent trace;

  LocalTask(
      TaskEntry entry,
      TaskKey key,
      TaskOptions options,
      @Nullable Object[] arguments,
      @Nullable TraceParent trace,
      AppServices services) {
    this.entry = entry;
    this.key = key;
    this.options = options;
    this.arguments = arguments;
    this.trace = trace;
    this.services = services;
  }

  @Override
  public TaskKey key() {
    return key;
  }

  @Override
  public TaskOptions options() {
    return options;
  }

  /** When the call was made, on the time source's nano clock. */
  long createdNanos() {
    return result.createdNanos();
  }

  /** The trace the call carries, as a remote envelope would: attempts run as its children. */
  @Override
  public synchronized TraceParent callerTrace() {
    TraceParent carried = trace;
    if (carried == null) {
      carried = TraceParent.newTrace();
      trace = carried;
    }
    return carried;
  }

  /** The queue the task is routed to. */
  String queue() {
    String queue = options.queue();
    return queue != null ? queue : key.name();
  }

  /** The caller gave up ({@code REVOKED}, {@code TIMEOUT}) or the app closes ({@code SHUTDOWN}). */
  @Override
  public void accept(ErrorCode reason) {
    stop(reason);
    if (reason == ErrorCode.TIMEOUT) {
      services.emit(
          EventOrigin.CALLER,
          EventLevel.WARNING,
          EventCode.TIMEOUT,
          key + " had no outcome within its timeout of " + options.timeout() + "; it was stopped",
          key,
          null);
    }
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

  /** Progress the running task reported, for its caller. */
  @Override
  public void progress(Progress progress) {
    result.accept(
        new Report(
            key, ReportStatus.PROGRESS, attempt, null, null, progress, services.time().now()));
  }
}
