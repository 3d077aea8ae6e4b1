package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.time.Scheduled;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's side of one call: its reports, its state and its single outcome.
 *
 * <p>Concurrency: reports arrive from workers, report readers and timers, possibly at once. Under
 * {@code this}, the first final report sets {@code finished} and records the value or error; every
 * later report is dropped, which is what makes the outcome exactly-once. Everything that runs user
 * code happens after the lock is released, in this order: the app's observer hears {@link
 * TaskObserver#callFinished} (once, as the outcome is), the outcome future is completed, the
 * callbacks registered before completion run (each exactly once; one registered later runs at once
 * on its own thread, reading the recorded outcome), and the report subscribers are drained. Reports
 * are enqueued to every subscriber under the lock, so all see one order, and each {@link
 * ReportStream} delivers its queue from one thread at a time. A subscriber or callback that throws
 * is logged and cut off; it cannot take the outcome or the worker with it.
 *
 * <p>Only the monitor-progress history is kept; without it a call keeps just its final report, and
 * a success reached through {@link #succeed} without readers builds even that only on demand.
 *
 * @param <T> the return type
 */
final class CallResult<T extends @Nullable Object> implements Result<T> {
  private static final Logger log = LoggerFactory.getLogger(CallResult.class);

  private final TaskKey key;
  private final boolean keepsHistory;
  private final CompletableFuture<T> outcome = new CompletableFuture<>();
  private final Consumer<ErrorCode> onStop;

  /** The app's time source and observer (one reference for both, so a call stays small). */
  private final AppServices services;

  private final @Nullable PendingCalls pending;
  private final @Nullable Duration timeout;

  /** Whether the app's observer hears of the outcome: it has one, and this call is observed. */
  private final boolean observed;

  /** When the call was made, on the time source's nano clock: the start of its latency. */
  private final long createdNanos;

  @GuardedBy("this")
  private @Nullable Scheduled deadline;

  @GuardedBy("this")
  private TaskState state = TaskState.PENDING;

  /** The next failure is a dead-lettering (local mode knows it when it fails the call). */
  @GuardedBy("this")
  private boolean dead;

  /** Set by the first final report, with the value or the error below. */
  @GuardedBy("this")
  private boolean finished;

  @GuardedBy("this")
  private @Nullable Object value;

  @GuardedBy("this")
  private @Nullable TaskError failure;

  /** The attempt of the outcome, and when it came (nano clock); for a report built on demand. */
  @GuardedBy("this")
  private int finalAttempt;

  @GuardedBy("this")
  private long finalNanos;

  /** Callbacks registered before the outcome: one {@code Consumer}, or a list of them. */
  @GuardedBy("this")
  private @Nullable Object successActions;

  @GuardedBy("this")
  private @Nullable Object failureActions;

  @GuardedBy("this")
  private @Nullable List<Report> history;

  @GuardedBy("this")
  private @Nullable Report last;

  @GuardedBy("this")
  private @Nullable List<ReportStream> streams;

  /**
   * @param keepsHistory whether non-final reports are kept and published (monitor-progress)
   * @param services the app's time source and observer
   * @param timeout how long the caller waits for a report before failing with TIMEOUT; re-armed by
   *     every report; {@code null} for no limit ({@link #armDeadline} starts it)
   * @param pending the table this call leaves when it has its outcome, if it is in one
   * @param onStop stops the call where it runs (revokes it, interrupts its attempt) with the reason
   *     the caller gave up: REVOKED or TIMEOUT; called once, after the outcome changed
   * @param observed whether the app's observer hears {@link TaskObserver#callFinished} once the
   *     call has its outcome; {@code false} for a call that only shares another's outcome, or that
   *     no caller made (a retried dead letter)
   * @param createdNanos when the call was made (nano clock), for the latency the observer hears
   */
  CallResult(
      TaskKey key,
      boolean keepsHistory,
      AppServices services,
      @Nullable Duration timeout,
      @Nullable PendingCalls pending,
      Consumer<ErrorCode> onStop,
      boolean observed,
      long createdNanos) {
    this.key = requireNonNull(key, "key");
    this.keepsHistory = keepsHistory;
    this.services = requireNonNull(services, "services");
    this.timeout = timeout;
    this.pending = pending;
    this.onStop = requireNonNull(onStop, "onStop");
    this.observed = observed && services.observers().active();
    this.createdNanos = createdNanos;
  }

  /**
   * A result that has already failed, for calls refused before they were sent; the observer hears
   * of it as of any call.
   */
  static <T extends @Nullable Object> CallResult<T> failed(
      TaskKey key, TaskError error, AppServices services, long createdNanos) {
    CallResult<T> result =
        new CallResult<>(key, false, services, null, null, reason -> {}, true, createdNanos);
    result.fail(error, 1);
    return result;
  }

  /** When the call was made, on the time source's nano clock. */
  long createdNanos() {
    return createdNanos;
  }

  // ---- taking reports ----

  /**
   * Takes a report. Non-final reports are kept and published only with monitor-progress; the first
   * final report is the outcome; anything after it is dropped.
   *
   * @return whether the report was taken (false after the outcome)
   */
  boolean accept(Report report) {
    List<ReportStream> toDrain;
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
        finish(report.value(), report.error(), report.attempt());
      }
      last = report;
      if (keepsHistory) {
        if (history == null) {
          history = new ArrayList<>(4);
        }
        history.add(report);
      }
      toDrain = enqueueToStreams(report);
    }
    if (report.isDone()) {
      completeOutcome();
    }
    for (ReportStream stream : toDrain) {
      stream.drain();
    }
    return true;
  }

  /**
   * Completes the call with {@code value}, as a SUCCESS report would. When no report history is
   * kept and nobody subscribed to the reports, no report object is built (the local round trip's
   * hot path); {@link #lastReport()} makes it when asked.
   *
   * @return whether this was the outcome (false if the call already had one)
   */
  boolean succeed(@Nullable Object result, int attempt) {
    boolean quiet;
    synchronized (this) {
      if (finished) {
        return false;
      }
      quiet = !keepsHistory && streams == null;
      if (quiet) {
        advance(TaskState.SUCCEEDED);
        finish(result, null, attempt);
      }
    }
    if (!quiet) {
      // Someone reads the reports: the ordinary path, with a report object.
      return accept(
          new Report(
              key, ReportStatus.SUCCESS, attempt, result, null, null, services.time().now()));
    }
    completeOutcome();
    return true;
  }

  /** Fails the call unless it has an outcome; the shorthand for timeouts, revocation, shutdown. */
  boolean fail(TaskError error, int attempt) {
    return accept(
        new Report(key, ReportStatus.FAIL, attempt, null, error, null, services.time().now()));
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
  void acceptSent(Report sent) {
    synchronized (this) {
      if (state != TaskState.PENDING) {
        return;
      }
    }
    accept(sent);
  }

  /** The broker (or the local queue) accepted the task. */
  synchronized void sent() {
    if (state == TaskState.PENDING) {
      advance(TaskState.SENT);
    }
  }

  /** The next failure is a dead-lettering. */
  synchronized void willDeadLetter() {
    dead = true;
  }

  @GuardedBy("this")
  private void finish(@Nullable Object result, @Nullable TaskError error, int attempt) {
    finished = true;
    value = result;
    failure = error;
    finalAttempt = attempt;
    finalNanos = services.time().nanoTime();
    if (deadline != null) {
      deadline.cancel();
      deadline = null;
    }
  }

  @GuardedBy("this")
  private List<ReportStream> enqueueToStreams(Report report) {
    if (streams == null || streams.isEmpty()) {
      return List.of();
    }
    List<ReportStream> toDrain = List.copyOf(streams);
    for (ReportStream stream : toDrain) {
      stream.enqueue(report);
    }
    return toDrain;
  }

  /** Completes the future and runs the callbacks registered so far; off the lock. */
  @SuppressWarnings("unchecked") // the value was decoded or corrected to the declared return type
  private void completeOutcome() {
    Object successes;
    Object failures;
    TaskError error;
    Object result;
    TaskState finalState;
    long finishedNanos;
    synchronized (this) {
      successes = successActions;
      failures = failureActions;
      successActions = null;
      failureActions = null;
      error = failure;
      result = value;
      finalState = state;
      finishedNanos = finalNanos;
    }
    if (observed) {
      // Before the future completes, so an awaiting caller finds the call already observed.
      services.observers().callFinished(key, finalState, error, finishedNanos - createdNanos);
    }
    if (error == null) {
      outcome.complete((T) result);
      runAll(successes, result);
    } else {
      outcome.completeExceptionally(new TaskFailedException(key, error));
      runAll(failures, error);
    }
    if (pending != null) {
      pending.remove(this);
    }
  }

  @SuppressWarnings("unchecked") // actions are stored by onSuccess/onFailure with matching types
  private void runAll(@Nullable Object actions, @Nullable Object argument) {
    if (actions == null) {
      return;
    }
    if (actions instanceof List<?> list) {
      for (Object action : list) {
        runSafely((Consumer<@Nullable Object>) action, argument);
      }
    } else {
      runSafely((Consumer<@Nullable Object>) actions, argument);
    }
  }

  private void runSafely(Consumer<@Nullable Object> action, @Nullable Object argument) {
    try {
      action.accept(argument);
    } catch (RuntimeException | Error e) {
      log.warn("a callback of {} threw; the call's outcome stands", key, e);
    }
  }

  // ---- deadline ----

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
    deadline = services.time().schedule(delay.plus(timeout), this::deadlinePassed);
  }

  @GuardedBy("this")
  private void rearmDeadline() {
    if (deadline != null && timeout != null) {
      deadline.cancel();
      deadline = services.time().schedule(timeout, this::deadlinePassed);
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

  // ---- states ----

  /** The state a report moves the call to. */
  @GuardedBy("this")
  private TaskState stateAfter(Report report) {
    return switch (report.status()) {
      case SENT -> TaskState.SENT;
      case PROGRESS -> TaskState.RECEIVED;
      case RETRY -> TaskState.RETRYING;
      case SUCCESS -> TaskState.SUCCEEDED;
      case FAIL -> {
        TaskError error = report.error();
        ErrorCode code = error == null ? ErrorCode.GENERIC : error.code();
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

  @Override
  public synchronized TaskState state() {
    return state;
  }

  // ---- the caller's API ----

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
  public T await(Duration waitAtMost) throws InterruptedException, TimeoutException {
    try {
      return outcome.get(waitAtMost.toNanos(), TimeUnit.NANOSECONDS);
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
  @SuppressWarnings("unchecked") // the value was decoded or corrected to the declared return type
  public Result<T> onSuccess(Consumer<? super T> action) {
    requireNonNull(action, "action");
    Object result;
    synchronized (this) {
      if (!finished) {
        successActions = withAction(successActions, action);
        return this;
      }
      if (failure != null) {
        return this;
      }
      result = value;
    }
    runSafely((Consumer<@Nullable Object>) action, result);
    return this;
  }

  @Override
  @SuppressWarnings("unchecked") // a consumer of errors, stored and run with errors only
  public Result<T> onFailure(Consumer<? super TaskError> action) {
    requireNonNull(action, "action");
    TaskError error;
    synchronized (this) {
      if (!finished) {
        failureActions = withAction(failureActions, action);
        return this;
      }
      error = failure;
    }
    if (error != null) {
      runSafely((Consumer<@Nullable Object>) (Consumer<?>) action, error);
    }
    return this;
  }

  /** Adds an action to a slot holding none, one, or a list of them. */
  @SuppressWarnings("unchecked") // the slot holds consumers only
  private static Object withAction(@Nullable Object slot, Object action) {
    if (slot == null) {
      return action;
    }
    if (slot instanceof ArrayList<?> list) {
      ((ArrayList<Object>) list).add(action);
      return list;
    }
    ArrayList<Object> list = new ArrayList<>(2);
    list.add(slot);
    list.add(action);
    return list;
  }

  @Override
  public boolean isDone() {
    return outcome.isDone();
  }

  @Override
  public synchronized Optional<TaskError> error() {
    return Optional.ofNullable(failure);
  }

  @Override
  public synchronized Optional<Report> lastReport() {
    return Optional.ofNullable(lastOrBuiltFinal());
  }

  /** The last report: the one kept, or the final one built from the recorded outcome. */
  @GuardedBy("this")
  private @Nullable Report lastOrBuiltFinal() {
    if (last != null || !finished) {
      return last;
    }
    Instant at = services.time().now().minusNanos(services.time().nanoTime() - finalNanos);
    last =
        failure == null
            ? new Report(key, ReportStatus.SUCCESS, finalAttempt, value, null, null, at)
            : new Report(key, ReportStatus.FAIL, finalAttempt, null, failure, null, at);
    return last;
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
      synchronized (this) {
        Report lastReport = lastOrBuiltFinal();
        List<Report> replay =
            history != null
                ? history
                : lastReport != null ? List.of(lastReport) : List.<Report>of();
        for (Report report : replay) {
          stream.enqueue(report);
        }
        if (!finished) {
          if (streams == null) {
            streams = new ArrayList<>(2);
          }
          streams.add(stream);
        }
      }
      stream.start();
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
}
