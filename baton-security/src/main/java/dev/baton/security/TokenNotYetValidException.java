package dev.baton.security;

import java.time.Instant;

/**
 * The token's not-before time ({@code nbf}) or issue time ({@code iat}) is later than now plus the
 * store's clock skew: the issuer's clock is ahead, or the token was made to start later.
 */
public final class TokenNotYetValidException extends InvalidTokenException {
  private final Instant validFrom;

  TokenNotYetValidException(String store, String tokenId, Instant validFrom, Instant now) {
    super(store, "token '" + tokenId + "' is not valid before " + validFrom + " (now " + now + ")");
    this.validFrom = validFrom;
  }

  /** When the token becomes valid. */
  public Instant validFrom() {
    return validFrom;
  }
}
