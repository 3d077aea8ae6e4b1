package dev.baton.security;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.modules.store.Store;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The security module's commands and their ids (DESIGN.md's table).
 *
 * <p>Every command names a {@link TokenStore} (an issuer configured on the node's {@link
 * TokenStores}). Commands are immutable; their {@code toString} leaves tokens out, since a token is
 * a credential. Arguments are checked when a command is made ({@link NullPointerException} or
 * {@link IllegalArgumentException} naming the field); what only the store can judge (a token's
 * validity, a TTL over the store's maximum) fails the command with a {@link TokenException}.
 */
public final class Security {
  /** The id of {@link ValidateToken}. */
  public static final CommandId VALIDATE_TOKEN = CommandId.of(130);

  /** The id of {@link CreateToken}. */
  public static final CommandId CREATE_TOKEN = CommandId.of(131);

  /** The id of {@link RevokeToken}. */
  public static final CommandId REVOKE_TOKEN = CommandId.of(132);

  /** The longest token accepted for validation or revocation; a longer one is malformed. */
  public static final int MAX_TOKEN_CHARS = 16_384;

  /** The longest subject, in characters. */
  public static final int MAX_SUBJECT_CHARS = 1024;

  /** The longest token id accepted by {@link RevokeToken#id}, in characters. */
  public static final int MAX_TOKEN_ID_CHARS = 256;

  /**
   * The claims a token store sets itself, which {@link CreateToken}'s extra claims may not name.
   */
  public static final Set<String> REGISTERED_CLAIMS =
      Set.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope");

  /** OAuth 2.0's scope-token (RFC 6749 §3.3): printable ASCII but space, quote and backslash. */
  private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

  private Security() {}

  /**
   * Issues a signed token (JWT) for {@code subject} with {@code scopes}, living {@code ttl} (the
   * store's default when null; rounded up to whole seconds), carrying {@code claims} besides the
   * registered ones. Completes with an {@link IssuedToken}; fails with {@link
   * TokenStoreNotFoundException}, {@link TtlTooLongException} (over the store's maximum) or {@link
   * NoSigningKeyException} (a verify-only store).
   *
   * @param store the token store's name
   * @param subject the actor the token speaks for: non-blank, at most {@value #MAX_SUBJECT_CHARS}
   *     characters
   * @param scopes OAuth-style scope tokens (no spaces, quotes or backslashes), possibly none
   * @param ttl how long the token lives, at least 1 second; null for the store's default
   * @param claims extra claims: JSON values only (String, Boolean, Number, List, Map with String
   *     keys; no nulls), not named as one of {@link #REGISTERED_CLAIMS}
   */
  public record CreateToken(
      String store,
      String subject,
      Set<String> scopes,
      @Nullable Duration ttl,
      Map<String, Object> claims)
      implements Command<IssuedToken> {
    /** Validates and copies the arguments. */
    public CreateToken {
      checkStoreName(store);
      requireNonNull(subject, "subject");
      if (subject.isBlank() || subject.length() > MAX_SUBJECT_CHARS) {
        throw new IllegalArgumentException(
            "subject must be non-blank and at most " + MAX_SUBJECT_CHARS + " characters");
      }
      scopes = checkScopes(scopes);
      if (ttl != null && (ttl.compareTo(Duration.ofSeconds(1)) < 0)) {
        throw new IllegalArgumentException("ttl must be at least 1 second (or null), not " + ttl);
      }
      requireNonNull(claims, "claims");
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<String, Object> claim : claims.entrySet()) {
        String name = requireNonNull(claim.getKey(), "claim name");
        if (REGISTERED_CLAIMS.contains(name)) {
          throw new IllegalArgumentException(
              "claim '" + name + "' is set by the token store; extra claims may not name it");
        }
        if (name.isBlank()) {
          throw new IllegalArgumentException("a claim name must not be blank");
        }
        copy.put(name, checkJson(name, claim.getValue()));
      }
      claims = java.util.Collections.unmodifiableMap(copy);
    }

    /**
     * A token for {@code subject} with {@code scopes}, the store's default TTL, no extra claims.
     */
    public CreateToken(String store, String subject, Set<String> scopes) {
      this(store, subject, scopes, null, Map.of());
    }

    /** This command with lifetime {@code ttl}. */
    public CreateToken withTtl(Duration ttl) {
      return new CreateToken(store, subject, scopes, requireNonNull(ttl, "ttl"), claims);
    }

    /** This command with extra {@code claims} (replacing any given before). */
    public CreateToken withClaims(Map<String, ?> claims) {
      return new CreateToken(
          store, subject, scopes, ttl, new LinkedHashMap<String, Object>(requireNonNull(claims)));
    }

    @Override
    public CommandId commandId() {
      return CREATE_TOKEN;
    }
  }

  /**
   * Verifies {@code token} with the store's configuration and completes with its {@link TokenInfo},
   * if its signature verifies with the store's key named by its {@code kid} under that key's
   * algorithm, its issuer and audience are the store's, it lives no longer ({@code exp - iat}) than
   * the store's maximum TTL, it is within its validity period (give or take the store's clock
   * skew), it has not been revoked, and it grants every scope in {@code requiredScopes}. Only the
   * compact form is accepted, spelt exactly (three base64url parts, at most {@value
   * #MAX_TOKEN_CHARS} characters, no unencoded or compressed payload, no critical header).
   *
   * <p>Fails with a subclass of {@link InvalidTokenException} saying which check failed, with
   * {@link InsufficientScopeException} for a genuine token lacking a required scope, with {@link
   * TokenStoreNotFoundException}, or with the store module's {@code StoreUnavailableException} when
   * the revocation store cannot be read (the token is then not accepted).
   *
   * @param store the token store's name
   * @param token the compact JWT, as received, without the {@code "Bearer "} prefix (not checked
   *     here: a bad one fails the command)
   * @param requiredScopes scopes the token must all grant; empty for none
   */
  public record ValidateToken(String store, String token, Set<String> requiredScopes)
      implements Command<TokenInfo> {
    /** Validates and copies the arguments. */
    public ValidateToken {
      checkStoreName(store);
      requireNonNull(token, "token");
      requiredScopes = checkScopes(requiredScopes);
    }

    /** Validates {@code token} without requiring a scope. */
    public ValidateToken(String store, String token) {
      this(store, token, Set.of());
    }

    @Override
    public CommandId commandId() {
      return VALIDATE_TOKEN;
    }

    @Override
    public String toString() {
      return "ValidateToken[store=" + store + ", requiredScopes=" + requiredScopes + "]";
    }
  }

  /**
   * Revokes a token, durably: an entry in the store's revocation store (a store of the store
   * module) that lives as long as the token could still be accepted, so every node validating
   * against that store refuses it. Completes with true if this call recorded the revocation, false
   * if the token was already revoked or has already expired (nothing to record).
   *
   * <p>Give either the token ({@link #token}: it must be genuine, its signature, issuer and
   * audience are verified as by {@link ValidateToken}, but an expired one is no error) or its id
   * ({@link #id}: trusted as given; the entry then lives the store's maximum TTL plus twice its
   * clock skew, which outlives any token the store accepts that was issued by then). Fails like
   * {@link ValidateToken} for a token that is not genuine, or with {@code
   * StoreUnavailableException} if the revocation store cannot be written (the token may or may not
   * be revoked then: retry, revocation is idempotent).
   *
   * @param store the token store's name
   * @param token the token to revoke, or null when {@code tokenId} is given
   * @param tokenId the id ({@code jti}) of the token to revoke, or null when {@code token} is given
   */
  public record RevokeToken(String store, @Nullable String token, @Nullable String tokenId)
      implements Command<Boolean> {
    /** Checks that exactly one of {@code token} and {@code tokenId} is given. */
    public RevokeToken {
      checkStoreName(store);
      if ((token == null) == (tokenId == null)) {
        throw new IllegalArgumentException("give exactly one of token and tokenId");
      }
      if (tokenId != null
          && (tokenId.isBlank()
              || !tokenId.codePoints().allMatch(c -> c < 0xD800 || c > 0xDFFF)
              || tokenId.length() > MAX_TOKEN_ID_CHARS
              || tokenId.chars().anyMatch(Character::isWhitespace))) {
        throw new IllegalArgumentException(
            "tokenId must be non-blank, without whitespace, at most "
                + MAX_TOKEN_ID_CHARS
                + " characters");
      }
    }

    /** Revokes {@code token} (verified first) in {@code store}. */
    public static RevokeToken token(String store, String token) {
      return new RevokeToken(store, requireNonNull(token, "token"), null);
    }

    /** Revokes the token whose id ({@code jti}) is {@code tokenId} in {@code store}. */
    public static RevokeToken id(String store, String tokenId) {
      return new RevokeToken(store, null, requireNonNull(tokenId, "tokenId"));
    }

    @Override
    public CommandId commandId() {
      return REVOKE_TOKEN;
    }

    @Override
    public String toString() {
      return "RevokeToken[store="
          + store
          + (token != null ? ", token=(hidden)" : ", tokenId=" + tokenId)
          + "]";
    }
  }

  /**
   * Checks a token store's name: the store module's rule ({@code [A-Za-z0-9][A-Za-z0-9._-]{0,63}}).
   */
  static String checkStoreName(String store) {
    return Store.checkStoreName(requireNonNull(store, "store"));
  }

  private static Set<String> checkScopes(Set<String> scopes) {
    requireNonNull(scopes, "scopes");
    for (String scope : scopes) {
      requireNonNull(scope, "scope");
      if (!SCOPE.matcher(scope).matches()) {
        throw new IllegalArgumentException(
            "scope '"
                + scope
                + "' is not a scope token (printable ASCII without space, '\"' or '\\')");
      }
    }
    return Set.copyOf(scopes);
  }

  private static Object checkJson(String name, @Nullable Object value) {
    if (value == null) {
      throw new IllegalArgumentException("claim '" + name + "' holds null; JSON values only");
    }
    if (value instanceof String || value instanceof Boolean || value instanceof Number) {
      return value;
    }
    if (value instanceof Collection<?> list) {
      return list.stream().map(item -> checkJson(name, item)).toList();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String key)) {
          throw new IllegalArgumentException(
              "claim '" + name + "' holds a map with a non-string key");
        }
        copy.put(key, checkJson(name, entry.getValue()));
      }
      return java.util.Collections.unmodifiableMap(copy);
    }
    throw new IllegalArgumentException(
        "claim '"
            + name
            + "' holds a "
            + value.getClass().getName()
            + "; JSON values only (String, Boolean, Number, List, Map)");
  }

  static List<String> sorted(Set<String> scopes) {
    return scopes.stream().sorted().toList();
  }
}
