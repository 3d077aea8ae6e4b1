package dev.baton.modules.websocket;

import org.jspecify.annotations.Nullable;

/**
 * A command needs an open connection and this one is not: its output is closed (the process or the
 * peer closed it) for {@link WebSockets.Send} and {@link WebSockets.Ping}, or it failed (an I/O or
 * protocol error, see the cause) for {@link WebSockets.Receive}. Connect again to go on.
 */
public final class WebSocketClosedException extends WebSocketException {
  private final long connection;

  WebSocketClosedException(long connection, String what, @Nullable Throwable cause) {
    super("WebSocket connection " + connection + " " + what, cause);
    this.connection = connection;
  }

  /** The connection's handle number. */
  public long connection() {
    return connection;
  }
}
