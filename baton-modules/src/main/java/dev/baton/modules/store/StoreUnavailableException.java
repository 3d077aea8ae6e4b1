package dev.baton.modules.store;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A store's backend could not carry out an operation: it is closed (the node is stopping), its
 * server did not answer in time, the connection was lost, or the server refused the command. The
 * operation may or may not have taken effect (a write sent before a timeout may still land), so
 * read again before retrying a write that is not idempotent. The {@linkplain #getCause() cause} is
 * the backend's own error (for Redis, Lettuce's exception).
 */
public final class StoreUnavailableException extends StoreException {
  private final String operation;
  private final @Nullable String key;

  /**
   * @param store the store's name
   * @param operation what was asked: {@code get}, {@code put}, {@code delete}, {@code has}, {@code
   *     entry} or {@code list}
   * @param key the key, or for a listing the prefix; null if none applies
   * @param reason what went wrong, for the message
   * @param cause the backend's error, or null
   */
  public StoreUnavailableException(
      String store,
      String operation,
      @Nullable String key,
      String reason,
      @Nullable Throwable cause) {
    super(
        store,
        "store '"
            + store
            + "': "
            + requireNonNull(operation, "operation")
            + (key == null
                ? ""
                : ("list".equals(operation) ? " of prefix '" : " of key '") + key + "'")
            + " failed: "
            + reason
            + " (the operation may or may not have taken effect; read again before retrying)",
        cause);
    this.operation = operation;
    this.key = key;
  }

  /** What was asked: {@code put}, {@code entry}, {@code has}, {@code delete} or {@code list}. */
  public String operation() {
    return operation;
  }

  /** The key (for a listing, the prefix), or null if none applies. */
  public @Nullable String key() {
    return key;
  }
}
