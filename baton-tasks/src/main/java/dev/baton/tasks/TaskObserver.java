package dev.baton.tasks;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Hears what happens to tasks in one app, on both sides of the wire: what this app sent as a caller
 * and how those calls ended, and what its workers ran. Metrics and the dashboard's list of recent
 * tasks are built on it; set one with {@link TaskApp.Builder#observer}.
 *
 * <p><b>Threading.</b> Methods are called on the thread where the event happens (a caller's thread,
 * a worker's thread, a broker client's thread), concurrently, and must return quickly: they are on
 * the task path. They must not throw; an exception is caught, reported once as a {@link
 * EventCode#GENERIC} event, and otherwise ignored, so an observer can never fail a task.
 *
 * <p><b>Which side sees what.</b> In local mode the app is both caller and worker, so it sees every
 * method for every call. In remote mode a caller sees {@link #sent} and {@link #callFinished}; the
 * worker's app sees {@link #attemptStarted}, {@link #attemptFinished} and {@link #deadLettered}.
 * Every method defaults to doing nothing.
 *
 * <p><b>How often, and in which order.</b> Every call this app makes gets exactly one {@link
 * #callFinished}, whatever ends it (a value, a failure, a dead letter, its timeout, its revocation,
 * the app closing, or a refusal before it was sent, such as an unknown task in local mode); a call
 * answered by an earlier call with the same idempotency key is that call, not observed again.
 * {@link #sent} comes once per call the broker or local queue accepted. Each attempt a worker runs
 * gets one {@link #attemptStarted} and then one {@link #attemptFinished}; a task revoked or expired
 * before it started has none. In local mode the order is sent, then the attempts, then {@link
 * #deadLettered} and {@link #callFinished}, except for a call that ends without waiting for its
 * attempt: one with {@code ignoreReport} finishes once queued, and one that times out or is revoked
 * finishes while its attempt is still being stopped, so the attempt's callbacks may come after its
 * {@code callFinished}; in remote mode the two sides run on different machines, and even a caller's
 * {@code sent} (the broker's confirm) may come after its {@code callFinished} when a worker was
 * faster. {@code callFinished} comes before the call's {@link Result} completes.
 */
public interface TaskObserver {

  /** An observer that does nothing; the default. */
  TaskObserver NONE = new TaskObserver() {};

  /**
   * The broker (or the local queue) accepted a call this app made.
   *
   * @param key the call
   * @param queue the queue it was sent to
   * @param trace the call's trace context, as carried in its envelope
   */
  default void sent(TaskKey key, String queue, TraceParent trace) {}

  /**
   * A worker of this app is about to run an attempt.
   *
   * @param key the call
   * @param attempt from 1
   * @param trace this attempt's trace context (a child of the caller's), as {@link
   *     TaskContext#trace()} gives it to the task
   */
  default void attemptStarted(TaskKey key, int attempt, TraceParent trace) {}

  /**
   * An attempt run by a worker of this app ended.
   *
   * @param key the call
   * @param attempt from 1
   * @param outcome what became of the call because of this attempt; an attempt stopped because the
   *     app closed in remote mode is {@link AttemptOutcome#RETRYING} (another worker runs the task
   *     again), in local mode {@link AttemptOutcome#FAILED} (the call fails with SHUTDOWN)
   * @param error why the attempt failed, or {@code null} when it succeeded
   * @param took how long the task function ran, on the app's time source
   */
  default void attemptFinished(
      TaskKey key, int attempt, AttemptOutcome outcome, @Nullable TaskError error, Duration took) {}

  /**
   * A task was moved to a dead-letter queue by this app's worker side: its last attempt failed, or
   * no worker serves its name. (A payload that did not decode has no key and is reported as a
   * {@link EventCode#DECODE_FAILURE} event instead.)
   *
   * @param key the call
   * @param queue the queue it came from
   * @param error why
   */
  default void deadLettered(TaskKey key, String queue, TaskError error) {}

  /**
   * A call this app made reached its final state, as the caller saw it.
   *
   * @param key the call
   * @param state the final state ({@link TaskState#isFinal()})
   * @param error the error for any state but {@link TaskState#SUCCEEDED}, else {@code null}
   * @param latency from the call to its outcome, on the app's time source
   */
  default void callFinished(
      TaskKey key, TaskState state, @Nullable TaskError error, Duration latency) {}

  /** What became of a call because of one attempt. */
  enum AttemptOutcome {
    /** The attempt returned a value. */
    SUCCEEDED,
    /** The attempt failed and the call will be retried after its backoff. */
    RETRYING,
    /** The attempt failed and the call failed for good (no retries left, or not retryable). */
    FAILED,
    /** The attempt failed, no retries were left, and the task went to the dead-letter queue. */
    DEAD_LETTERED
  }
}
