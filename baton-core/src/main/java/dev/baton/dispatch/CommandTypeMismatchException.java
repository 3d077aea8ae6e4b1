package dev.baton.dispatch;

/** A typed handler received a command of a class it was not written for. */
public final class CommandTypeMismatchException extends DispatchException {

  CommandTypeMismatchException(Command<?> command, Class<?> expected) {
    super(
        "the handler for "
            + command.commandId()
            + " expects "
            + expected.getName()
            + " but received "
            + command.getClass().getName()
            + "; two command classes share this id");
  }
}
