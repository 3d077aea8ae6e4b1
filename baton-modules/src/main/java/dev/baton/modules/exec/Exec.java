package dev.baton.modules.exec;

import dev.baton.dispatch.CommandId;

/** The exec module's commands and their ids (DESIGN.md's table). */
public final class Exec {
  /** The id of {@link ProcessWait}. */
  public static final CommandId PROCESS_WAIT = CommandId.of(150);

  /** The id of {@link Start}. */
  public static final CommandId START = CommandId.of(151);

  /** The id of {@link Kill}. */
  public static final CommandId KILL = CommandId.of(152);

  private Exec() {}
}
