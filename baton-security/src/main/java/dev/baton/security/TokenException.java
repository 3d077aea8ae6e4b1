package dev.baton.security;

import dev.baton.modules.ModuleException;
import org.jspecify.annotations.Nullable;

/**
 * The root of the security module's typed errors. Each names the token store; none carries a key, a
 * secret or the token itself (a token is a credential), only its id, key id and algorithm where
 * known.
 *
 * <p>{@link InvalidTokenException} and its subclasses mean the token must not be accepted (HTTP's
 * 401); {@link InsufficientScopeException} means a genuine token lacks a scope (HTTP's 403); the
 * rest are configuration or argument errors of the caller.
 */
public abstract sealed class TokenException extends ModuleException
    permits InvalidTokenException,
        InsufficientScopeException,
        TokenStoreNotFoundException,
        TtlTooLongException,
        NoSigningKeyException {
  private final String store;

  TokenException(String store, String message) {
    super("token store '" + store + "': " + message);
    this.store = store;
  }

  TokenException(String store, String message, @Nullable Throwable cause) {
    super("token store '" + store + "': " + message, cause);
    this.store = store;
  }

  /** The token store's name. */
  public String store() {
    return store;
  }
}
