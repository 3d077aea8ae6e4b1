package dev.baton.security;

import dev.baton.dispatch.CommandId;

/** The security module's commands and their ids (DESIGN.md's table). */
public final class Security {
  /** The id of {@code ValidateToken}. */
  public static final CommandId VALIDATE_TOKEN = CommandId.of(130);

  /** The id of {@code CreateToken}. */
  public static final CommandId CREATE_TOKEN = CommandId.of(131);

  /** The id of {@code RevokeToken}. */
  public static final CommandId REVOKE_TOKEN = CommandId.of(132);

  private Security() {}
}
