package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

/** A coded failure: the {@link ErrorCode} and a message that names the task and the cause. */
public record TaskError(ErrorCode code, String message) {

  public TaskError {
    requireNonNull(code, "code");
    requireNonNull(message, "message");
  }

  /** {@code [CODE] message}, as the seed formats its errors. */
  @Override
  public String toString() {
    return "[" + code + "] " + message;
  }
}
