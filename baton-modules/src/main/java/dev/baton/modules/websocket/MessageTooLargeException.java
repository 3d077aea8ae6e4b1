package dev.baton.modules.websocket;

/**
 * An incoming message was larger than the connection's read limit ({@link
 * WebSockets.Connect#readLimit()}): the module closed the connection (close code 1008 with a reason
 * naming the limit, as the JDK client may not send 1009) and every later {@link WebSockets.Receive}
 * fails with this error too. Connect again with a larger limit if such messages are expected.
 */
public final class MessageTooLargeException extends WebSocketException {
  private final long connection;
  private final int limit;

  MessageTooLargeException(long connection, int limit) {
    super(
        "WebSocket connection "
            + connection
            + " received a message larger than its read limit of "
            + limit
            + " bytes and was closed; connect with a larger readLimit if such messages are"
            + " expected");
    this.connection = connection;
    this.limit = limit;
  }

  /** The connection's handle number. */
  public long connection() {
    return connection;
  }

  /** The read limit in bytes that the message passed. */
  public int limit() {
    return limit;
  }
}
