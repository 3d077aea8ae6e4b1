package dev.baton.dispatch;

/** A second handler was registered for a command id that already has one. */
public final class DuplicateHandlerException extends DispatchException {

  DuplicateHandlerException(CommandId commandId, String module) {
    super(
        "a handler for "
            + commandId
            + " is already registered (module '"
            + module
            + "'); each command id has exactly one handler");
  }
}
