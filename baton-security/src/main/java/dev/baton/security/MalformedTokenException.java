package dev.baton.security;

import org.jspecify.annotations.Nullable;

/**
 * The token is not a well-formed signed JWT (JWS compact form) with the claims the store requires:
 * not three base64url parts, bad JSON, an encrypted token, a critical header the store does not
 * understand, a missing or ill-typed subject, expiry, id or scope, or over {@link
 * Security#MAX_TOKEN_CHARS} characters.
 */
public final class MalformedTokenException extends InvalidTokenException {

  MalformedTokenException(String store, String problem, @Nullable Throwable cause) {
    super(store, "malformed token: " + problem, cause);
  }
}
