package dev.baton.dispatch;

/** A handler was registered after the registry was frozen at node start. */
public final class RegistryFrozenException extends DispatchException {

  RegistryFrozenException(CommandId commandId, String module) {
    super(
        "cannot register a handler for "
            + commandId
            + " (module '"
            + module
            + "') after the registry is frozen; register handlers while components load");
  }
}
