package dev.baton.security;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The token's header names no key id ({@code kid}), or one the store does not have: it was signed
 * by another issuer, or with a key that has been rotated out of the store's configuration.
 */
public final class UnknownKeyException extends InvalidTokenException {
  private final @Nullable String keyId;

  UnknownKeyException(String store, @Nullable String keyId, List<String> known) {
    super(
        store,
        (keyId == null
                ? "the token names no key id (kid)"
                : "unknown key id '" + untrusted(keyId) + "'")
            + "; the store verifies with keys "
            + known);
    this.keyId = keyId;
  }

  /** The key id the token named, or null if it named none. */
  public @Nullable String keyId() {
    return keyId;
  }
}
