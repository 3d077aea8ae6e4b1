package dev.baton.modules.websocket;

import java.net.URI;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * {@link WebSockets.Connect} failed: the host was unreachable, the connect timeout passed, or the
 * server refused the upgrade (then {@link #status()} holds the HTTP status it answered with).
 */
public final class WebSocketConnectException extends WebSocketException {
  private final URI uri;
  private final int status;

  /**
   * @param uri where the connect went
   * @param status the HTTP status of a refused upgrade, or -1 if there was no response
   * @param what what happened
   * @param cause the client's exception
   */
  WebSocketConnectException(URI uri, int status, String what, @Nullable Throwable cause) {
    super("could not open a WebSocket to " + uri + ": " + what, cause);
    this.uri = uri;
    this.status = status;
  }

  /** Where the connect went. */
  public URI uri() {
    return uri;
  }

  /** The HTTP status with which the server refused the upgrade, if it answered at all. */
  public OptionalInt status() {
    return status < 0 ? OptionalInt.empty() : OptionalInt.of(status);
  }
}
