package dev.baton.cloudstorage;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link CloudStorage.Head} tells about an object. Immutable.
 *
 * @param key the object's key
 * @param size its size in bytes
 * @param etag its entity tag without quotes (the hex MD5 of the content for single-part uploads, in
 *     both backends)
 * @param contentType its content type ({@code application/octet-stream} when none was given)
 * @param lastModified when it was last written (the server's clock, or the file's mtime)
 * @param metadata its user metadata (names lower-case, as S3 returns them), sorted by name
 */
public record ObjectInfo(
    String key,
    long size,
    String etag,
    String contentType,
    Instant lastModified,
    Map<String, String> metadata) {
  /** Validates and copies the metadata. */
  public ObjectInfo {
    requireNonNull(key, "key");
    requireNonNull(etag, "etag");
    requireNonNull(contentType, "contentType");
    requireNonNull(lastModified, "lastModified");
    metadata = java.util.Collections.unmodifiableMap(new TreeMap<>(metadata));
  }
}
