package dev.baton.modules.process;

import dev.baton.dispatch.CommandId;

/** The process module's commands and their ids (DESIGN.md's table). */
public final class Processes {
  /** The id of {@link Send}. */
  public static final CommandId SEND = CommandId.of(1);

  /** The id of {@link Spawn}. */
  public static final CommandId SPAWN = CommandId.of(2);

  /** The id of {@link Terminate}. */
  public static final CommandId TERMINATE = CommandId.of(3);

  /** The id of {@link Cancel}. */
  public static final CommandId CANCEL = CommandId.of(4);

  /** The id of {@link Monitor}. */
  public static final CommandId MONITOR = CommandId.of(5);

  /** The id of {@link Unmonitor}. */
  public static final CommandId UNMONITOR = CommandId.of(6);

  /** The id of {@link Link}. */
  public static final CommandId LINK = CommandId.of(7);

  /** The id of {@link Unlink}. */
  public static final CommandId UNLINK = CommandId.of(8);

  /** The id of {@link Exec}. */
  public static final CommandId EXEC = CommandId.of(9);

  private Processes() {}
}
