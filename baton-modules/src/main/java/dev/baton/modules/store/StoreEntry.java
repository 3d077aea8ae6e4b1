package dev.baton.modules.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One live entry of a store: its key, value, version and expiry.
 *
 * <p>Versions come from one counter per store: they increase per key and are never reused across
 * the store, so a key deleted and written again gets a version it never had before (a
 * compare-and-set holding an old version fails). They do not order writes to different keys. An
 * absent key's version is 0.
 *
 * @param key the key
 * @param value the value; this record's own copy, which the receiver may keep
 * @param version the entry's version, at least 1
 * @param expiresAt when the entry expires, by the backend's clock; null if it never does
 */
// Arrays compare by identity in records; entries are read, not compared or hashed.
@SuppressWarnings("ArrayRecordComponent")
public record StoreEntry(String key, byte[] value, long version, @Nullable Instant expiresAt) {
  /** Checks the fields. */
  public StoreEntry {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    if (version < 1) {
      throw new IllegalArgumentException("a live entry's version is at least 1, not " + version);
    }
  }

  /** The value decoded as UTF-8. */
  public String valueAsUtf8() {
    return new String(value, UTF_8);
  }

  @Override
  public String toString() {
    return "StoreEntry["
        + key
        + ", "
        + value.length
        + " bytes, version "
        + version
        + (expiresAt == null ? "" : ", expires " + expiresAt)
        + "]";
  }
}
