package dev.baton.tasks;

import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Runs one attempt of a task body and classifies how it ended, the same way in local and remote
 * mode: a value; TASK_FAILED for an exception (class and message); PANIC for an {@link Error},
 * after which the worker goes on; TIMEOUT, REVOKED or SHUTDOWN when the attempt was stopped for
 * that reason (whatever the body then did).
 *
 * <p>The outcome is left on the {@link RunningAttempt} (its value) and returned as an error or
 * {@code null}, so a successful attempt allocates nothing here.
 */
final class AttemptRunner {

  private final TimeSource time;

  AttemptRunner(TimeSource time) {
    this.time = time;
  }

  /**
   * Runs the body on the calling thread.
   *
   * @return {@code null} if the body returned ({@link RunningAttempt#value()} holds the value),
   *     else why the attempt failed
   */
  @Nullable TaskError run(
      TaskSignature signature,
      TaskFunction function,
      Invoker invoker,
      @Nullable Object[] arguments,
      RunningAttempt attempt) {
    if (!attempt.enter()) {
      return stopped(attempt);
    }
    Duration timeout = attempt.options().timeout();
    Scheduled timer =
        timeout == null ? null : time.schedule(timeout, () -> attempt.cancel(ErrorCode.TIMEOUT));
    CurrentTask.CONTEXT.set(attempt);
    try {
      attempt.succeeded(invoker.invoke(signature, function, arguments));
      return attempt.stopReason() != null ? stopped(attempt) : null;
    } catch (Exception e) {
      if (attempt.stopReason() != null) {
        return stopped(attempt);
      }
      return new TaskError(
          ErrorCode.TASK_FAILED,
          "task " + attempt.key() + " threw " + e.getClass().getName() + ": " + e.getMessage());
    } catch (Error e) {
      // A task's StackOverflowError (or any Error it raises) ends this attempt, not the worker.
      return new TaskError(
          ErrorCode.PANIC,
          "task " + attempt.key() + " panicked: " + e.getClass().getName() + ": " + e.getMessage());
    } finally {
      CurrentTask.CONTEXT.set(null);
      if (timer != null) {
        timer.cancel();
      }
      attempt.exit();
    }
  }

  private static TaskError stopped(RunningAttempt attempt) {
    ErrorCode reason = Objects.requireNonNull(attempt.stopReason());
    String why =
        switch (reason) {
          case TIMEOUT -> "did not finish within its timeout of " + attempt.options().timeout();
          case REVOKED -> "was revoked by its caller";
          case SHUTDOWN -> "was stopped because the app closed";
          default -> "was stopped (" + reason + ")";
        };
    return new TaskError(reason, "task " + attempt.key() + " " + why);
  }
}
