package dev.baton.security;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What {@link Security.CreateToken} completes with: the compact JWT and what a caller may want to
 * keep without parsing it. {@link #toString()} leaves the token out (it is a credential).
 *
 * @param token the compact serialization ({@code header.payload.signature}), to hand to the actor
 * @param id the token's id ({@code jti}), to revoke it by ({@link Security.RevokeToken#id})
 * @param keyId the id ({@code kid}) of the key that signed it
 * @param issuedAt its issue time ({@code iat}, whole seconds)
 * @param expiresAt its expiry ({@code exp}, whole seconds)
 */
public record IssuedToken(
    String token, String id, String keyId, Instant issuedAt, Instant expiresAt) {
  /** Checks that no component is null. */
  public IssuedToken {
    requireNonNull(token, "token");
    requireNonNull(id, "id");
    requireNonNull(keyId, "keyId");
    requireNonNull(issuedAt, "issuedAt");
    requireNonNull(expiresAt, "expiresAt");
  }

  @Override
  public String toString() {
    return "IssuedToken[id="
        + id
        + ", keyId="
        + keyId
        + ", issuedAt="
        + issuedAt
        + ", expiresAt="
        + expiresAt
        + "]";
  }
}
