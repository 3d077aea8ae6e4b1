package dev.baton.cloudstorage;

import org.jspecify.annotations.Nullable;

/**
 * The storage refused the operation: wrong credentials, a policy that forbids it (S3 403), or a
 * file the node may not read or write (local backend). Check the storage's credentials or
 * permissions; retrying unchanged fails again.
 */
public final class AccessDeniedException extends CloudStorageException {
  private final String operation;
  private final @Nullable String key;

  /**
   * @param storage the storage's name
   * @param operation the refused operation
   * @param key the key, if the operation had one
   * @param cause the backend's error
   */
  public AccessDeniedException(
      String storage, String operation, @Nullable String key, @Nullable Throwable cause) {
    super(
        storage,
        "storage '"
            + storage
            + "' denied "
            + operation
            + (key == null ? "" : " of key '" + key + "'")
            + (cause == null ? "" : ": " + cause.getMessage())
            + " (check the storage's credentials and permissions)",
        cause);
    this.operation = operation;
    this.key = key;
  }

  /** The refused operation. */
  public String operation() {
    return operation;
  }

  /** The key, or null for an operation without one. */
  public @Nullable String key() {
    return key;
  }
}
