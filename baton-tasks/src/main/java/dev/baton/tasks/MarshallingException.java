package dev.baton.tasks;

import org.jspecify.annotations.Nullable;

/**
 * Arguments or a return value that cannot be encoded, decoded or corrected to the declared types.
 * The message names the task, the parameter and both types. The worker turns it into {@link
 * ErrorCode#BAD_ARGUMENTS} (arguments) or {@link ErrorCode#DECODE} (a payload from the wire).
 */
public final class MarshallingException extends TasksException {

  public MarshallingException(String message) {
    super(message);
  }

  public MarshallingException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
