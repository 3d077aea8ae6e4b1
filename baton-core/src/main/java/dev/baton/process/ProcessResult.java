package dev.baton.process;

import org.jspecify.annotations.Nullable;

/**
 * How a process ended: with a value (normally) or with an error (abnormally: its step threw, it was
 * terminated, the scheduler shut down).
 *
 * @param value what the process passed to {@link StepOutput#done}, when it ended normally
 * @param error why it ended abnormally, or null
 */
public record ProcessResult(@Nullable Object value, @Nullable Throwable error) {

  /** A normal end with {@code value}. */
  public static ProcessResult normal(@Nullable Object value) {
    return new ProcessResult(value, null);
  }

  /** An abnormal end with {@code error}. */
  public static ProcessResult failed(Throwable error) {
    return new ProcessResult(null, error);
  }

  /** Returns whether the process ended normally. */
  public boolean isNormal() {
    return error == null;
  }
}
