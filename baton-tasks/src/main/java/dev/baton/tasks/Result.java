package dev.baton.tasks;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one call, and its reports.
 *
 * <p>A result completes exactly once, with the task's return value or with a {@link TaskError}; a
 * redelivered task cannot give its caller two outcomes. Callbacks run exactly once each, whether
 * they are registered before or after completion: on the completing thread if registered before, on
 * the registering thread if after, so they must be short.
 *
 * <p>All methods are thread-safe.
 *
 * @param <T> the return type
 */
public interface Result<T extends @Nullable Object> {

  /** The call. */
  TaskKey key();

  /**
   * Waits for the outcome.
   *
   * @throws TaskFailedException if the call failed
   * @throws InterruptedException if the waiting thread is interrupted
   */
  T await() throws InterruptedException;

  /**
   * Waits up to {@code timeout} for the outcome. Giving up does not affect the call (use {@link
   * TaskOptions#timeout()} for that): a later {@code await} may still succeed.
   *
   * @throws TimeoutException if the call is still running after {@code timeout}
   * @throws TaskFailedException if the call failed
   * @throws InterruptedException if the waiting thread is interrupted
   */
  T await(Duration timeout) throws InterruptedException, TimeoutException;

  /** Runs {@code action} with the return value, once, if and when the call succeeds. */
  Result<T> onSuccess(Consumer<? super T> action);

  /** Runs {@code action} with the error, once, if and when the call fails. */
  Result<T> onFailure(Consumer<? super TaskError> action);

  /** Whether the call has an outcome. */
  boolean isDone();

  /**
   * Where the call is in its lifecycle, as far as this caller knows: {@link TaskState#RECEIVED} and
   * {@link TaskState#RETRYING} are seen only with monitor-progress (or retries, whose reports
   * always reach the caller), and {@link TaskState#DEAD} only in local mode (a remote caller sees a
   * dead-lettered call as {@link TaskState#FAILED}).
   */
  TaskState state();

  /** The error, if the call failed; empty while running or after success. */
  Optional<TaskError> error();

  /** The last report received, if any. */
  Optional<Report> lastReport();

  /**
   * Revokes the call: unless it already has an outcome, the result fails at once with {@link
   * ErrorCode#REVOKED}, the revocation is recorded (durably where the broker allows) so no worker
   * starts the task later, and a running attempt is interrupted where the worker is in this app.
   *
   * @return whether this call changed the outcome (false if it was already done)
   */
  boolean cancel();

  /**
   * The call's reports, in order, ending after the final one. Each subscriber receives every report
   * from the first (reports are kept per call until its outcome), with demand honoured as {@link
   * Flow} requires. Without monitor-progress only the final report arrives; with ignore-report it
   * is a SUCCESS without a value, made when the task was accepted. Subscribers are called off the
   * call's locks, one signal at a time; one that throws is cancelled.
   */
  Flow.Publisher<Report> reports();

  /**
   * A future completed with the outcome: the value, or a {@link TaskFailedException}. Completing or
   * cancelling the returned future does not affect the call; use {@link #cancel()}.
   */
  CompletableFuture<T> toCompletableFuture();
}
