package dev.baton.cloudstorage;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * What happened to one key of a {@link CloudStorage.Delete}. Immutable.
 *
 * @param key the key
 * @param error null if the key holds no object now (deleted, or was already absent, as in S3), else
 *     why it could not be deleted ({@link AccessDeniedException}, {@link InvalidKeyException},
 *     {@link StorageUnavailableException})
 */
public record DeleteOutcome(String key, @Nullable CloudStorageException error) {
  /** Checks the key is present. */
  public DeleteOutcome {
    requireNonNull(key, "key");
  }

  /** Whether the key holds no object now. */
  public boolean succeeded() {
    return error == null;
  }
}
