package dev.baton.modules.websocket;

import dev.baton.modules.ModuleException;
import org.jspecify.annotations.Nullable;

/**
 * The root of the websocket module's typed errors: catch it to handle any WebSocket failure (a
 * refused connect, a closed connection, a message over the read limit, a read conflict).
 */
public abstract class WebSocketException extends ModuleException {

  protected WebSocketException(String message) {
    super(message);
  }

  protected WebSocketException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
