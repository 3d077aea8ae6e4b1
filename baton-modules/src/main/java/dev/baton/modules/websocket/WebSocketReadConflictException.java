package dev.baton.modules.websocket;

/**
 * A connection is read one way at a time: {@link WebSockets.Receive} was yielded while the
 * connection is subscribed, or {@link WebSockets.Subscribe} while it is subscribed already or a
 * Receive is pending. {@link WebSockets.Unsubscribe} ends the subscription.
 */
public final class WebSocketReadConflictException extends WebSocketException {
  private final long connection;

  WebSocketReadConflictException(long connection, String what) {
    super("WebSocket connection " + connection + " " + what);
    this.connection = connection;
  }

  /** The connection's handle number. */
  public long connection() {
    return connection;
  }
}
