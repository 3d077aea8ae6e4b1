package dev.baton.modules.function;

import dev.baton.dispatch.CommandId;

/** The function module's commands and their ids (DESIGN.md's table). */
public final class Functions {
  /** The id of {@link Call}. */
  public static final CommandId CALL = CommandId.of(140);

  /** The id of {@link AsyncStart}. */
  public static final CommandId ASYNC_START = CommandId.of(141);

  /** The id of {@link AsyncCancel}. */
  public static final CommandId ASYNC_CANCEL = CommandId.of(142);

  private Functions() {}
}
