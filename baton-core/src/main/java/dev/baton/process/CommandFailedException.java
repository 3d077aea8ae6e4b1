package dev.baton.process;

/**
 * A command a coroutine called failed with a checked exception, which {@link CoroutineScope#call}
 * cannot throw as it is; the cause is that exception.
 */
public final class CommandFailedException extends ProcessException {

  public CommandFailedException(Throwable cause) {
    super("the command failed: " + cause, cause);
  }
}
