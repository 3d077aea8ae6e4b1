package dev.baton.cloudstorage;

import static java.util.Objects.requireNonNull;

/**
 * What {@link CloudStorage.Upload} wrote. Immutable.
 *
 * @param key the object's key
 * @param etag the new object's entity tag, without quotes
 * @param size the bytes written
 */
public record UploadResult(String key, String etag, long size) {
  /** Checks the fields are present. */
  public UploadResult {
    requireNonNull(key, "key");
    requireNonNull(etag, "etag");
  }
}
