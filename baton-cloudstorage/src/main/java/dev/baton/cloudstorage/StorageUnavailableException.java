package dev.baton.cloudstorage;

import org.jspecify.annotations.Nullable;

/**
 * The storage's backend failed: the S3 server is unreachable or answered with an error, or the
 * local filesystem failed. Names the storage, the operation and the key; the cause is the backend's
 * own error. A write may or may not have landed: {@link CloudStorage.Head} before retrying.
 */
public final class StorageUnavailableException extends CloudStorageException {
  private final String operation;
  private final @Nullable String key;

  /**
   * @param storage the storage's name
   * @param operation the failed operation ({@code "upload"}, {@code "list"}, ...)
   * @param key the key, if the operation had one
   * @param cause the backend's error
   */
  public StorageUnavailableException(
      String storage, String operation, @Nullable String key, Throwable cause) {
    super(
        storage,
        "storage '"
            + storage
            + "': "
            + operation
            + (key == null ? "" : " of key '" + key + "'")
            + " failed: "
            + cause.getMessage(),
        cause);
    this.operation = operation;
    this.key = key;
  }

  /** The failed operation. */
  public String operation() {
    return operation;
  }

  /** The key, or null for an operation without one (a listing). */
  public @Nullable String key() {
    return key;
  }
}
