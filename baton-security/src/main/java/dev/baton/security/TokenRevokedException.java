package dev.baton.security;

/** The token was revoked ({@link Security.RevokeToken}) before it expired. */
public final class TokenRevokedException extends InvalidTokenException {
  private final String tokenId;

  TokenRevokedException(String store, String tokenId) {
    super(store, "token '" + tokenId + "' has been revoked");
    this.tokenId = tokenId;
  }

  /** The revoked token's id ({@code jti}). */
  public String tokenId() {
    return tokenId;
  }
}
