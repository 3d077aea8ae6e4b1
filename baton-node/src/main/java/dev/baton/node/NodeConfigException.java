package dev.baton.node;

/**
 * A configuration that cannot be used: the message names the key (as a dotted path, such as {@code
 * tasks.broker.uri}), the problem, and what would be accepted.
 */
public class NodeConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A problem with one key. */
  public NodeConfigException(String message) {
    super(message);
  }

  /** A problem with one key, caused by {@code cause} (a server that refused, an extension). */
  public NodeConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
