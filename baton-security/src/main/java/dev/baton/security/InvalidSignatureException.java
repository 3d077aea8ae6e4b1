package dev.baton.security;

import org.jspecify.annotations.Nullable;

/**
 * The token's signature does not verify with the store's key its header names: the header, the
 * claims or the signature were changed after signing, or it was signed with another key under the
 * same key id.
 */
public final class InvalidSignatureException extends InvalidTokenException {
  private final String keyId;

  InvalidSignatureException(String store, String keyId, @Nullable Throwable cause) {
    super(
        store,
        "the signature does not verify with key '"
            + keyId
            + "': the token was altered or signed with another key",
        cause);
    this.keyId = keyId;
  }

  /** The id of the key the signature was checked with. */
  public String keyId() {
    return keyId;
  }
}
