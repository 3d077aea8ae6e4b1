package dev.baton.cloudstorage;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One object of a {@link ObjectPage}. Immutable.
 *
 * @param key the object's key
 * @param size its size in bytes
 * @param etag its entity tag without quotes
 * @param lastModified when it was last written
 */
public record ObjectSummary(String key, long size, String etag, Instant lastModified) {
  /** Checks the fields are present. */
  public ObjectSummary {
    requireNonNull(key, "key");
    requireNonNull(etag, "etag");
    requireNonNull(lastModified, "lastModified");
  }
}
