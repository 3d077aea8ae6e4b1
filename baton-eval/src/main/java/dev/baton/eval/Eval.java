package dev.baton.eval;

import dev.baton.dispatch.CommandId;

/** The eval module's commands and their ids (DESIGN.md's table). */
public final class Eval {
  /** The id of {@code Compile}. */
  public static final CommandId COMPILE = CommandId.of(170);

  /** The id of {@code Run}. */
  public static final CommandId RUN = CommandId.of(171);

  /** The id of {@code CreateProcess}. */
  public static final CommandId CREATE_PROCESS = CommandId.of(172);

  private Eval() {}
}
