package dev.baton.security;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What {@link Security.ValidateToken} completes with: the verified token's contents.
 *
 * @param store the token store that verified it
 * @param subject the actor the token speaks for ({@code sub})
 * @param scopes what the actor may do (the space-separated "scope" claim)
 * @param id the token's id ({@code jti})
 * @param keyId the id of the key that signed it ({@code kid})
 * @param issuedAt its issue time ({@code iat})
 * @param expiresAt its expiry ({@code exp})
 * @param claims the token's other claims, as JSON values (strings, booleans, {@code Long} or {@code
 *     Double} numbers, lists, maps); the registered ones (iss, sub, aud, exp, nbf, iat, jti, scope)
 *     are left out
 */
public record TokenInfo(
    String store,
    String subject,
    Set<String> scopes,
    String id,
    String keyId,
    Instant issuedAt,
    Instant expiresAt,
    Map<String, Object> claims) {
  /** Copies the scopes and claims (read-only). */
  public TokenInfo {
    requireNonNull(store, "store");
    requireNonNull(subject, "subject");
    scopes = Set.copyOf(scopes);
    requireNonNull(id, "id");
    requireNonNull(keyId, "keyId");
    requireNonNull(issuedAt, "issuedAt");
    requireNonNull(expiresAt, "expiresAt");
    claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
  }

  /** Whether the token grants {@code scope}. */
  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }
}
