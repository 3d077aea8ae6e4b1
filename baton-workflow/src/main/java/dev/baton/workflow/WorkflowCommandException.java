package dev.baton.workflow;

import dev.baton.modules.ModuleException;
import dev.baton.workflow.spi.Failure;
import org.jspecify.annotations.Nullable;

/**
 * What workflow code catches when a command it called failed: the journaled error's type and
 * message. A first run and a replay throw it alike (the original error is the cause only in the
 * first run), so code that branches on {@link #errorType()} replays deterministically.
 */
public final class WorkflowCommandException extends ModuleException {
  private final String command;
  private final String errorType;

  WorkflowCommandException(String command, Failure failure, @Nullable Throwable cause) {
    super(command + " failed with " + failure.type() + ": " + failure.message(), cause);
    this.command = command;
    this.errorType = failure.type();
  }

  /** The failed command's kind (its record's class name). */
  public String command() {
    return command;
  }

  /** The binary class name of the original error. */
  public String errorType() {
    return errorType;
  }

  /** Whether the original error was a {@code type} (by class name; superclasses not considered). */
  public boolean is(Class<? extends Throwable> type) {
    return type.getName().equals(errorType);
  }
}
