package dev.baton.dispatch;

/**
 * No handler is registered for a command's id. Delivered as the error of the command's tag, so the
 * caller sees it as an ordinary failed completion ("not found"), never as a crash.
 */
public final class UnknownCommandException extends DispatchException {

  private final CommandId commandId;

  public UnknownCommandException(CommandId commandId) {
    super(describe(commandId));
    this.commandId = commandId;
  }

  /** The id nobody handles. */
  public CommandId commandId() {
    return commandId;
  }

  private static String describe(CommandId id) {
    String owner =
        CommandRanges.containing(id)
            .map(range -> "; it belongs to module '" + range.module() + "', which is not loaded")
            .orElse("; is the module that handles it loaded into this node?");
    return "unknown command: no handler for " + id + owner;
  }
}
