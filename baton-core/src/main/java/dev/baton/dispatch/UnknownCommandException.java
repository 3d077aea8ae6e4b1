package dev.baton.dispatch;

import java.util.Optional;

/**
 * No handler is registered for a command's id. Delivered as the error of the command's tag, so the
 * caller sees it as an ordinary failed completion ("not found"), never as a crash.
 */
public final class UnknownCommandException extends DispatchException {

  private final CommandId commandId;

  /**
   * Creates the error for {@code commandId}.
   *
   * @param owner the module that reserved the id in this node, if one did
   */
  public UnknownCommandException(CommandId commandId, Optional<String> owner) {
    super(describe(commandId, owner));
    this.commandId = commandId;
  }

  /** The id nobody handles. */
  public CommandId commandId() {
    return commandId;
  }

  private static String describe(CommandId id, Optional<String> owner) {
    String hint;
    if (owner.isPresent()) {
      hint = "; module '" + owner.get() + "' reserved it but registers no handler for it";
    } else {
      hint =
          CommandRanges.containing(id)
              .map(range -> "; it belongs to module '" + range.module() + "', which is not loaded")
              .orElse("; is the module that handles it loaded into this node?");
    }
    return "unknown command: no handler for " + id + hint;
  }
}
