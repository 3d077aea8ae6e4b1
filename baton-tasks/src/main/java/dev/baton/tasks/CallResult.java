package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The caller's side of one call: its reports and its single outcome.
 *
 * <p>Concurrency: reports arrive from workers, report readers and timers, possibly at once. The
 * outcome is a {@link CompletableFuture}, so "exactly once" is the future's own guarantee: the
 * first final report (or timeout, revocation, shutdown) completes it and every later one is
 * ignored. The report history and the subscribers are guarded by {@code this}; reports are appended
 * and handed to subscribers under the lock, so every subscriber sees one order. Only the
 * monitor-progress history is kept; without it a call keeps just its final report.
 *
 * @param <T> the return type
 */
final class CallResult<T extends @Nullable Object> implements Result<T> {

  private final TaskKey key;
  private final boolean keepsHistory;
  private final CompletableFuture<T> outcome = new CompletableFuture<>();
  private final Consumer<ErrorCode> onStop;
  private final TimeSource time;
  private final @Nullable PendingCalls pending;
  private final @Nullable Duration timeout;

  @GuardedBy("this")
  private @Nullable Scheduled deadline;

  @GuardedBy("this")
  private TaskState state = TaskState.PENDING;

  @GuardedBy("this")
  private boolean dead;

  /** Set by the first final report; the outcome future is completed right after, off the lock. */
  @GuardedBy("this")
  private boolean finished;

  @GuardedBy("this")
  private @Nullable List<Report> history;

  @GuardedBy("this")
  private @Nullable Report last;

  @GuardedBy("this")
  private @Nullable List<ReportStream> streams;

  /**
   * @param keepsHistory whether non-final reports are kept and published (monitor-progress)
   * @param timeout how long the caller waits for a report before failing with TIMEOUT; re-armed by
   *     every report; {@code null} for no limit ({@link #armDeadline} starts it)
   * @param pending the table this call leaves when it has its outcome, if it is in one
   * @param onStop stops the call where it runs (revokes it, interrupts its attempt) with the reason
   *     the caller gave up: REVOKED or TIMEOUT; called once, after the outcome changed
   */
  CallResult(
      TaskKey key,
      boolean keepsHistory,
      TimeSource time,
      @Nullable Duration timeout,
      @Nullable PendingCalls pending,
      Consumer<ErrorCode> onStop) {
    this.key = requireNonNull(key, "key");
    this.keepsHistory = keepsHistory;
    this.time = requireNonNull(time, "time");
    this.timeout = timeout;
    this.pending = pending;
    this.onStop = requireNonNull(onStop, "onStop");
  }

  /** A result that has already failed, for calls refused before they were sent. */
  static <T extends @Nullable Object> CallResult<T> failed(
      TaskKey key, TaskError error, TimeSource time) {
    CallResult<T> result = new CallResult<>(key, false, time, null, null, reason -> {});
    result.accept(new Report(key, ReportStatus.FAIL, 1, null, error, null, time.now()));
    return result;
  }

  /**
   * Takes a report. Non-final reports are kept and published only with monitor-progress; the first
   * final report completes the outcome; anything after it is dropped.
   *
   * @return whether the report was taken (false after the outcome)
   */
  @SuppressWarnings("unchecked") // the value was decoded or corrected to the declared return type
  boolean accept(Report report) {
    synchronized (this) {
      if (finished) {
        return false;
      }
      advance(stateAfter(report));
      if (!report.isDone()) {
        rearmDeadline();
        if (!keepsHistory) {
          return true;
        }
      } else {
        finished = true;
        if (deadline != null) {
          deadline.cancel();
          deadline = null;
        }
      }
      last = report;
      if (keepsHistory) {
        if (history == null) {
          history = new ArrayList<>(4);
        }
        history.add(report);
      }
      // Streams are fed under the lock so that every subscriber sees one order.
      if (streams != null) {
        for (ReportStream stream : List.copyOf(streams)) {
          stream.offer(report);
        }
      }
    }
    if (report.isDone()) {
      // Completed outside the lock: callbacks registered earlier run here, on this thread.
      if (report.isSuccess()) {
        outcome.complete((T) report.value());
      } else {
        outcome.completeExceptionally(
            new TaskFailedException(key, requireNonNull(report.error(), "error")));
      }
      if (pending != null) {
        pending.remove(this);
      }
    }
    return true;
  }

  /**
   * Starts the caller's deadline, {@code delay} plus the timeout from now (the delay covers an
   * eta). No-op without a timeout.
   */
  synchronized void armDeadline(Duration delay) {
    if (timeout == null || finished) {
      return;
    }
    if (deadline != null) {
      deadline.cancel();
    }
    deadline = time.schedule(delay.plus(timeout), this::deadlinePassed);
  }

  @GuardedBy("this")
  private void rearmDeadline() {
    if (deadline != null && timeout != null) {
      deadline.cancel();
      deadline = time.schedule(timeout, this::deadlinePassed);
    }
  }

  private void deadlinePassed() {
    boolean changed =
        fail(
            new TaskError(
                ErrorCode.TIMEOUT,
                "task " + key + " had no outcome within its timeout of " + timeout),
            1);
    if (changed) {
      onStop.accept(ErrorCode.TIMEOUT);
    }
  }

  /** The state a report moves the call to. */
  @GuardedBy("this")
  private TaskState stateAfter(Report report) {
    return switch (report.status()) {
      case SENT -> TaskState.SENT;
      case PROGRESS -> TaskState.RECEIVED;
      case RETRY -> TaskState.RETRYING;
      case SUCCESS -> TaskState.SUCCEEDED;
      case FAIL -> {
        ErrorCode code = requireNonNull(report.error(), "error").code();
        yield dead
            ? TaskState.DEAD
            : code == ErrorCode.REVOKED
                ? TaskState.REVOKED
                : code == ErrorCode.EXPIRED ? TaskState.EXPIRED : TaskState.FAILED;
      }
    };
  }

  /**
   * Moves to {@code next} if the transition table allows it. A report that repeats the state
   * (progress from inside a running task) keeps it; the optional reports a caller may not see
   * explain the table's shortcuts (SENT straight to an outcome).
   */
  @GuardedBy("this")
  private void advance(TaskState next) {
    if (state == next) {
      return;
    }
    if (state == TaskState.PENDING && !TaskState.PENDING.next().contains(next)) {
      move(TaskState.SENT); // the SENT report is optional; any later report implies it
    }
    if (state.next().contains(next)) {
      move(next);
    } else {
      TaskStateTransitions.violation(state, next);
    }
  }

  @GuardedBy("this")
  private void move(TaskState next) {
    TaskStateTransitions.record(state, next);
    state = next;
  }

  /**
   * Takes a report from a worker. Any such report implies the broker accepted the task, so with
   * monitor-progress a SENT report that has not arrived yet (the broker's confirmation can lose the
   * race with a fast worker) is made first, keeping SENT ahead of everything else.
   */
  boolean acceptFromWorker(Report report) {
    boolean impliesSent;
    synchronized (this) {
      impliesSent = state == TaskState.PENDING && !finished;
    }
    if (impliesSent) {
      acceptSent(new Report(key, ReportStatus.SENT, 1, null, null, null, report.at()));
    }
    return accept(report);
  }

  /**
   * The broker accepted the task: reports SENT (with monitor-progress) unless a worker's report
   * already implied it.
   */
  synchronized void acceptSent(Report sent) {
    if (state == TaskState.PENDING) {
      accept(sent);
    }
  }

  /** The broker (or the local queue) accepted the task. */
  synchronized void sent() {
    if (state == TaskState.PENDING) {
      advance(TaskState.SENT);
    }
  }

  /** The next failure is a dead-lettering (local mode knows it when it fails the call). */
  synchronized void willDeadLetter() {
    dead = true;
  }

  @Override
  public synchronized TaskState state() {
    return state;
  }

  /** Fails the call unless it has an outcome; the shorthand for timeouts, revocation, shutdown. */
  boolean fail(TaskError error, int attempt) {
    return accept(new Report(key, ReportStatus.FAIL, attempt, null, error, null, time.now()));
  }

  @Override
  public TaskKey key() {
    return key;
  }

  @Override
  public T await() throws InterruptedException {
    try {
      return outcome.get();
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  @Override
  public T await(Duration timeout) throws InterruptedException, TimeoutException {
    try {
      return outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  private static RuntimeException unwrap(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof TaskFailedException failed) {
      // A fresh exception, so the stack trace shows where the caller waited.
      return new TaskFailedException(failed.key(), failed.error());
    }
    return new IllegalStateException("unexpected outcome", cause);
  }

  @Override
  public Result<T> onSuccess(Consumer<? super T> action) {
    requireNonNull(action, "action");
    var _ = outcome.thenAccept(action);
    return this;
  }

  @Override
  public Result<T> onFailure(Consumer<? super TaskError> action) {
    requireNonNull(action, "action");
    var _ =
        outcome.whenComplete(
            (value, failure) -> {
              if (failure instanceof TaskFailedException failed) {
                action.accept(failed.error());
              }
            });
    return this;
  }

  @Override
  public boolean isDone() {
    return outcome.isDone();
  }

  @Override
  public Optional<TaskError> error() {
    if (!outcome.isCompletedExceptionally()) {
      return Optional.empty();
    }
    try {
      outcome.join();
      return Optional.empty();
    } catch (java.util.concurrent.CompletionException | CancellationException e) {
      return e.getCause() instanceof TaskFailedException failed
          ? Optional.of(failed.error())
          : Optional.empty();
    }
  }

  @Override
  public synchronized Optional<Report> lastReport() {
    return Optional.ofNullable(last);
  }

  @Override
  public boolean cancel() {
    boolean changed =
        fail(new TaskError(ErrorCode.REVOKED, "task " + key + " was revoked by its caller"), 1);
    if (changed) {
      onStop.accept(ErrorCode.REVOKED);
    }
    return changed;
  }

  @Override
  public Flow.Publisher<Report> reports() {
    return subscriber -> {
      requireNonNull(subscriber, "subscriber");
      ReportStream stream = new ReportStream(subscriber, this::removeStream);
      List<Report> replay;
      synchronized (this) {
        replay = history != null ? List.copyOf(history) : last != null ? List.of(last) : List.of();
        if (!finished) {
          if (streams == null) {
            streams = new ArrayList<>(2);
          }
          streams.add(stream);
        }
        stream.start(replay, finished);
      }
    };
  }

  private synchronized void removeStream(ReportStream stream) {
    if (streams != null) {
      streams.remove(stream);
    }
  }

  @Override
  public CompletableFuture<T> toCompletableFuture() {
    return outcome.copy();
  }

  /** The internal outcome, for the engine's own chaining (stubs returning futures). */
  CompletableFuture<T> outcome() {
    return outcome;
  }
}
