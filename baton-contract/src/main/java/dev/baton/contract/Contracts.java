package dev.baton.contract;

import dev.baton.dispatch.CommandId;

/** The contract module's commands and their ids (DESIGN.md's table). */
public final class Contracts {
  /** The id of {@code Open}. */
  public static final CommandId OPEN = CommandId.of(190);

  /** The id of {@code Call}. */
  public static final CommandId CALL = CommandId.of(191);

  /** The id of {@code AsyncCall}. */
  public static final CommandId ASYNC_CALL = CommandId.of(192);

  /** The id of {@code AsyncCancel}. */
  public static final CommandId ASYNC_CANCEL = CommandId.of(193);

  private Contracts() {}
}
