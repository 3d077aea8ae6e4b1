package dev.baton.modules.websocket;

import dev.baton.dispatch.CommandId;

/** The websocket module's commands and their ids (DESIGN.md's table). */
public final class WebSockets {
  /** The id of {@code Connect}. */
  public static final CommandId CONNECT = CommandId.of(80);

  /** The id of {@code Send}. */
  public static final CommandId SEND = CommandId.of(81);

  /** The id of {@code Receive}. */
  public static final CommandId RECEIVE = CommandId.of(82);

  /** The id of {@code Close}. */
  public static final CommandId CLOSE = CommandId.of(83);

  /** The id of {@code Ping}. */
  public static final CommandId PING = CommandId.of(84);

  /** The id of {@code Subscribe}. */
  public static final CommandId SUBSCRIBE = CommandId.of(85);

  private WebSockets() {}
}
