package dev.baton.tasks;

import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Runs one attempt of a task body and classifies how it ended, the same way in local and remote
 * mode: a value; TASK_FAILED for an exception (class and message); PANIC for an {@link Error},
 * after which the worker goes on; TIMEOUT, REVOKED or SHUTDOWN when the attempt was stopped for
 * that reason (whatever the body then did).
 */
final class AttemptRunner {

  private final TimeSource time;

  AttemptRunner(TimeSource time) {
    this.time = time;
  }

  AttemptOutcome run(
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
    try {
      Object value =
          ScopedValue.where(CurrentTask.CONTEXT, (TaskContext) attempt)
              .call(() -> invoker.invoke(signature, function, arguments));
      return attempt.stopReason() != null ? stopped(attempt) : AttemptOutcome.success(value);
    } catch (Exception e) {
      if (attempt.stopReason() != null) {
        return stopped(attempt);
      }
      return AttemptOutcome.failure(
          ErrorCode.TASK_FAILED,
          "task " + attempt.key() + " threw " + e.getClass().getName() + ": " + e.getMessage());
    } catch (Error e) {
      // A task's StackOverflowError (or any Error it raises) ends this attempt, not the worker.
      return AttemptOutcome.failure(
          ErrorCode.PANIC,
          "task " + attempt.key() + " panicked: " + e.getClass().getName() + ": " + e.getMessage());
    } finally {
      if (timer != null) {
        timer.cancel();
      }
      attempt.exit();
    }
  }

  private static AttemptOutcome stopped(RunningAttempt attempt) {
    ErrorCode reason = java.util.Objects.requireNonNull(attempt.stopReason());
    String why =
        switch (reason) {
          case TIMEOUT -> "did not finish within its timeout of " + attempt.options().timeout();
          case REVOKED -> "was revoked by its caller";
          case SHUTDOWN -> "was stopped because the app closed";
          default -> "was stopped (" + reason + ")";
        };
    return AttemptOutcome.failure(reason, "task " + attempt.key() + " " + why);
  }
}
