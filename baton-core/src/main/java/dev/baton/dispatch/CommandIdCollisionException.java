package dev.baton.dispatch;

/** A module tried to reserve a command id that another module holds. */
public final class CommandIdCollisionException extends DispatchException {

  private final CommandId commandId;
  private final String holder;
  private final String claimant;

  CommandIdCollisionException(CommandId commandId, String holder, String claimant, String why) {
    super(
        commandId
            + " is already reserved by module '"
            + holder
            + "'"
            + why
            + "; module '"
            + claimant
            + "' cannot reserve it. Give one of the modules other ids (custom ids start at "
            + CommandId.FIRST_CUSTOM
            + ")");
    this.commandId = commandId;
    this.holder = holder;
    this.claimant = claimant;
  }

  /** The contested id. */
  public CommandId commandId() {
    return commandId;
  }

  /** The module that holds the id. */
  public String holder() {
    return holder;
  }

  /** The module that tried to reserve it. */
  public String claimant() {
    return claimant;
  }
}
