package dev.baton.security;

import java.time.Instant;

/** The token's expiry ({@code exp}), plus the store's clock skew, has passed: get a new token. */
public final class TokenExpiredException extends InvalidTokenException {
  private final String tokenId;
  private final Instant expiresAt;

  TokenExpiredException(String store, String tokenId, Instant expiresAt, Instant now) {
    super(store, "token '" + tokenId + "' expired at " + expiresAt + " (now " + now + ")");
    this.tokenId = tokenId;
    this.expiresAt = expiresAt;
  }

  /** The token's id ({@code jti}). */
  public String tokenId() {
    return tokenId;
  }

  /** When the token expired. */
  public Instant expiresAt() {
    return expiresAt;
  }
}
