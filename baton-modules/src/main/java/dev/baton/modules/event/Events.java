package dev.baton.modules.event;

import dev.baton.dispatch.CommandId;

/** The event module's commands and their ids (DESIGN.md's table). */
public final class Events {
  /** The id of {@link Subscribe}. */
  public static final CommandId SUBSCRIBE = CommandId.of(90);

  /** The id of {@link Send}. */
  public static final CommandId SEND = CommandId.of(91);

  /** The id of {@link Unsubscribe}. */
  public static final CommandId UNSUBSCRIBE = CommandId.of(92);

  private Events() {}
}
