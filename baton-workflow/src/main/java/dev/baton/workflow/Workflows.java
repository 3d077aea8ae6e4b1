package dev.baton.workflow;

import dev.baton.dispatch.CommandId;

/** The workflow module's commands and their ids (DESIGN.md's table). */
public final class Workflows {
  /** The id of {@code SideEffect}. */
  public static final CommandId SIDE_EFFECT = CommandId.of(180);

  /** The id of {@code Call}. */
  public static final CommandId CALL = CommandId.of(181);

  /** The id of {@code Version}. */
  public static final CommandId VERSION = CommandId.of(182);

  /** The id of {@code UpsertAttrs}. */
  public static final CommandId UPSERT_ATTRS = CommandId.of(183);

  private Workflows() {}
}
