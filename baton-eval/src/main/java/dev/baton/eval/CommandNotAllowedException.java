package dev.baton.eval;

import dev.baton.dispatch.CommandId;
import dev.baton.modules.ModuleException;

/**
 * A script process yielded a command id outside its {@link Eval.CreateProcess#allowedCommands()}:
 * nothing was dispatched and the process failed.
 */
public final class CommandNotAllowedException extends ModuleException {
  private final CommandId commandId;

  /**
   * @param script the script's name
   * @param commandId the id it yielded
   */
  public CommandNotAllowedException(String script, CommandId commandId) {
    super(
        "script '"
            + script
            + "' yielded command id "
            + commandId.value()
            + ", which its CreateProcess does not allow; add the id to allowedCommands if the"
            + " script may use it");
    this.commandId = commandId;
  }

  /** The id the script yielded. */
  public CommandId commandId() {
    return commandId;
  }
}
