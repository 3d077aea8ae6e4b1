package dev.baton.security;

/**
 * A {@link Security.CreateToken} named a store that only verifies (configured with public keys
 * only): it cannot issue tokens.
 */
public final class NoSigningKeyException extends TokenException {
  NoSigningKeyException(String store) {
    super(store, "the store has no private or secret key to sign with; it only verifies tokens");
  }
}
