package dev.baton.security;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.baton.modules.store.Store;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One named token issuer ("token store"): its issuer and audience, the keys it signs and verifies
 * with (each with a key id, {@code kid}, and exactly one {@link TokenAlgorithm}), its default and
 * maximum token lifetimes, the clock skew it allows, and the store of the store module where its
 * revocations are kept. Built with {@link #builder(String)}; immutable and thread-safe.
 *
 * <p><b>What is fixed by configuration, never by the token.</b> The algorithms a store accepts are
 * those of its keys; a token is verified only with the key its {@code kid} names, and only if its
 * header's {@code alg} is that key's algorithm. So {@code alg=none}, an algorithm of another store,
 * and an HS256 token "signed" with an RSA public key's bytes (algorithm confusion) are all refused
 * before any signature is checked. Keys in the header ({@code jwk}, {@code jku}, {@code x5c},
 * {@code x5u}) are ignored.
 *
 * <p><b>Rotation.</b> New tokens are signed with the signing key ({@link Builder#signWith}, by
 * default the first key that can sign); every configured key verifies. To rotate: add the new key
 * and sign with it, keep the old one (its public half is enough: {@link Builder#publicKey}) until
 * the tokens it signed have expired ({@link #maxTtl()}), then remove it.
 *
 * <p><b>Key sizes.</b> An HMAC secret must be at least as long as its hash (32, 48, 64 bytes for
 * HS256, HS384, HS512), an RSA key at least 2048 bits, an EC key on P-256; shorter or other keys
 * are refused when the store is built, as are key pairs whose halves do not match.
 */
public final class TokenStore {
  /** The lifetime of a token when {@link Security.CreateToken} gives none, unless configured. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);

  /** The longest lifetime {@link Security.CreateToken} may ask for, unless configured. */
  public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(24);

  /** The clock skew a store allows unless configured. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

  /** The largest clock skew a store may allow. */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  /** The largest maximum lifetime a store may have: 366 days. */
  public static final Duration LONGEST_TTL = Duration.ofDays(366);

  /** The prefix of revocation entries' keys in the revocation store. */
  static final String REVOCATION_PREFIX = "security:revoked:";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String name;
  private final String issuer;
  private final String audience;
  private final String revocationStore;
  private final Map<String, KeyEntry> keys;
  private final @Nullable KeyEntry signingKey;
  private final List<TokenAlgorithm> algorithms;
  private final Duration defaultTtl;
  private final Duration maxTtl;
  private final Duration clockSkew;

  private TokenStore(Builder builder, Map<String, KeyEntry> keys, @Nullable KeyEntry signingKey) {
    this.name = builder.name;
    this.issuer = requireNonNull(builder.issuer);
    this.audience = requireNonNull(builder.audience);
    this.revocationStore = builder.revocationStore;
    this.keys = Collections.unmodifiableMap(keys);
    this.signingKey = signingKey;
    Set<TokenAlgorithm> algs = new LinkedHashSet<>();
    keys.values().forEach(key -> algs.add(key.algorithm()));
    this.algorithms = List.copyOf(algs);
    this.defaultTtl = builder.defaultTtl;
    this.maxTtl = builder.maxTtl;
    this.clockSkew = builder.clockSkew;
  }

  /**
   * Starts configuring the token store called {@code name} (the name commands give).
   *
   * @param name letters, digits, '.', '_', '-', at most 64 characters, starting with a letter or
   *     digit
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The store's name, as commands name it. */
  public String name() {
    return name;
  }

  /** The issuer ({@code iss}) it writes into its tokens and requires of tokens it validates. */
  public String issuer() {
    return issuer;
  }

  /** The audience ({@code aud}) it writes into its tokens and requires of tokens it validates. */
  public String audience() {
    return audience;
  }

  /** The algorithms it accepts: those of its keys, in the order the keys were added. */
  public List<TokenAlgorithm> algorithms() {
    return algorithms;
  }

  /** Its keys' ids, in the order they were added. */
  public List<String> keyIds() {
    return List.copyOf(keys.keySet());
  }

  /** The id of the key it signs new tokens with, or null if it only verifies. */
  public @Nullable String signingKeyId() {
    return signingKey == null ? null : signingKey.id();
  }

  /** The lifetime of a token created without one. */
  public Duration defaultTtl() {
    return defaultTtl;
  }

  /**
   * The longest lifetime a token may be created with, and the longest ({@code exp - iat}, in whole
   * seconds rounded up) a token it validates may have: a store validating another issuer's tokens
   * needs a maxTtl covering that issuer's lifetimes.
   */
  public Duration maxTtl() {
    return maxTtl;
  }

  /** How far its clock may be from the issuer's: expiry and not-before are checked with it. */
  public Duration clockSkew() {
    return clockSkew;
  }

  /** The store module's store its revocations are kept in. */
  public String revocationStore() {
    return revocationStore;
  }

  @Override
  public String toString() {
    return "TokenStore[" + name + ", issuer=" + issuer + ", keys=" + keys.keySet() + "]";
  }

  // ---- what the module does with it (package-private) ----

  /** The key new tokens are signed with, or null. */
  @Nullable KeyEntry signingKey() {
    return signingKey;
  }

  /**
   * The longest a token of this store may live ({@code exp - iat}): maxTtl in whole seconds, up.
   */
  Duration longestLifetime() {
    return Duration.ofSeconds(maxTtl.getSeconds() + (maxTtl.getNano() > 0 ? 1 : 0));
  }

  /**
   * How long a revocation by id must be kept: a token revoked now was issued at most the clock skew
   * ahead of this node's clock (or it would not be accepted), lives at most {@link
   * #longestLifetime()}, and is accepted until its expiry plus the skew.
   */
  Duration revocationByIdTtl() {
    return longestLifetime().plus(clockSkew).plus(clockSkew);
  }

  /** The key of the revocation entry for the token {@code tokenId}. */
  String revocationKey(String tokenId) {
    return REVOCATION_PREFIX + name + ":" + tokenId;
  }

  /**
   * Signs a new token with {@code key} (the signing key). Slow for RSA and EC keys: the module runs
   * it on its workers.
   */
  IssuedToken sign(
      KeyEntry key,
      String subject,
      Set<String> scopes,
      Duration ttl,
      Map<String, Object> claims,
      Instant now) {
    Instant issuedAt = now.truncatedTo(ChronoUnit.SECONDS);
    long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
    Instant expiresAt = issuedAt.plusSeconds(seconds);
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    JWTClaimsSet.Builder set = new JWTClaimsSet.Builder();
    claims.forEach(set::claim);
    set.issuer(issuer)
        .subject(subject)
        .audience(audience)
        .jwtID(id)
        .claim("iat", issuedAt.getEpochSecond())
        .claim("nbf", issuedAt.getEpochSecond())
        .claim("exp", expiresAt.getEpochSecond());
    if (!scopes.isEmpty()) {
      set.claim("scope", String.join(" ", Security.sorted(scopes)));
    }
    JWSHeader header =
        new JWSHeader.Builder(key.algorithm().jws())
            .keyID(key.id())
            .type(JOSEObjectType.JWT)
            .build();
    SignedJWT jwt = new SignedJWT(header, set.build());
    try {
      jwt.sign(requireNonNull(key.signer()));
    } catch (JOSEException e) {
      // Keys are checked by signing once when the store is built; this is not expected.
      throw new IllegalStateException(
          "token store '" + name + "': signing with key '" + key.id() + "' failed", e);
    }
    return new IssuedToken(jwt.serialize(), id, key.id(), issuedAt, expiresAt);
  }

  /**
   * Parses {@code token} and picks its key by configuration: cheap, done inline.
   *
   * @throws MalformedTokenException if it is not a signed JWT in compact form
   * @throws UnsecuredTokenException for {@code alg=none} in any letter case
   * @throws AlgorithmNotAllowedException for an algorithm not the store's or not its key's
   * @throws UnknownKeyException for a missing or unknown {@code kid}
   */
  Parsed parse(String token) {
    if (token.length() > Security.MAX_TOKEN_CHARS) {
      throw new MalformedTokenException(
          name,
          "longer than " + Security.MAX_TOKEN_CHARS + " characters (" + token.length() + ")",
          null);
    }
    // The compact form exactly (RFC 7515 section 7.1): three base64url parts, nothing else. The
    // library's decoder skips characters outside the alphabet and trims the token, so without this
    // one token could be re-spelt (padding, spaces, junk after the signature) and still verify.
    int dots = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        dots++;
      } else if (!isBase64Url(c)) {
        throw new MalformedTokenException(
            name, "a character outside base64url at index " + i + " (compact JWS only)", null);
      }
    }
    if (dots == 4) {
      throw new MalformedTokenException(name, "encrypted tokens (JWE) are not accepted", null);
    }
    int dot = token.indexOf('.');
    if (dots != 2 || dot == 0) {
      throw new MalformedTokenException(
          name, "not a compact JWS (header.payload.signature, base64url)", null);
    }
    String signature = token.substring(token.lastIndexOf('.') + 1);
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(signature);
      if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(signature)) {
        throw new IllegalArgumentException("not canonical");
      }
    } catch (IllegalArgumentException e) {
      throw new MalformedTokenException(name, "the signature is not canonical base64url", null);
    }
    // Read alg before the library does, so "none" in any spelling is named as what it is.
    Map<String, Object> rawHeader;
    try {
      rawHeader = JSONObjectUtils.parse(new Base64URL(token.substring(0, dot)).decodeToString());
    } catch (ParseException | RuntimeException e) {
      throw new MalformedTokenException(name, "the header is not base64url-encoded JSON", e);
    }
    if (rawHeader.get("alg") instanceof String alg && alg.equalsIgnoreCase("none")) {
      throw new UnsecuredTokenException(name);
    }
    if (rawHeader.containsKey("enc")) {
      throw new MalformedTokenException(name, "encrypted tokens (JWE) are not accepted", null);
    }
    if (rawHeader.containsKey("b64")) {
      // RFC 7797's unencoded payload: the signed bytes would not be the payload parsed here.
      throw new MalformedTokenException(name, "unencoded payloads (b64) are not accepted", null);
    }
    if (rawHeader.containsKey("zip")) {
      throw new MalformedTokenException(name, "compressed tokens (zip) are not accepted", null);
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException | RuntimeException e) {
      throw new MalformedTokenException(name, TokenException.untrusted(e.getMessage()), e);
    }
    if (jwt instanceof PlainJWT) {
      throw new UnsecuredTokenException(name);
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw new MalformedTokenException(name, "not a signed JWT", null);
    }
    JWSHeader header = signed.getHeader();
    String alg = header.getAlgorithm().getName();
    TokenAlgorithm algorithm = TokenAlgorithm.byName(alg);
    if (algorithm == null || !algorithms.contains(algorithm)) {
      throw new AlgorithmNotAllowedException(name, alg, algorithms);
    }
    Set<String> critical = header.getCriticalParams();
    if (critical != null && !critical.isEmpty()) {
      throw new MalformedTokenException(
          name, "critical header parameters " + critical + " are not understood", null);
    }
    String keyId = header.getKeyID();
    KeyEntry key = keyId == null ? null : keys.get(keyId);
    if (key == null) {
      throw new UnknownKeyException(name, keyId, keyIds());
    }
    if (key.algorithm() != algorithm) {
      throw new AlgorithmNotAllowedException(name, alg, key.id(), key.algorithm());
    }
    return new Parsed(signed, key);
  }

  /**
   * Checks the signature and reads the claims, checking issuer and audience but not time. Slow for
   * EC keys: the module runs it on its workers.
   *
   * @throws InvalidSignatureException if the signature does not verify
   * @throws MalformedTokenException if a claim the store needs is missing or ill-typed
   * @throws WrongIssuerException if the issuer is not the store's
   * @throws WrongAudienceException if the audience does not include the store's
   */
  Verified verify(Parsed parsed) {
    KeyEntry key = parsed.key();
    boolean valid;
    try {
      valid = parsed.jwt().verify(key.verifier());
    } catch (JOSEException | RuntimeException e) {
      throw new InvalidSignatureException(name, key.id(), e);
    }
    if (!valid) {
      throw new InvalidSignatureException(name, key.id(), null);
    }
    Payload payload = parsed.jwt().getPayload();
    Map<String, Object> claims = payload.toJSONObject();
    if (claims == null) {
      throw new MalformedTokenException(name, "the payload is not a JSON object", null);
    }
    @Nullable Object iss = claims.get("iss");
    if (!issuer.equals(iss)) {
      throw new WrongIssuerException(name, iss instanceof String s ? s : null, issuer);
    }
    List<String> audiences = audiences(claims.get("aud"));
    if (!audiences.contains(audience)) {
      throw new WrongAudienceException(name, audiences, audience);
    }
    String subject = text(claims, "sub", "subject");
    String id = text(claims, "jti", "token id");
    if (id.length() > Security.MAX_TOKEN_ID_CHARS) {
      throw new MalformedTokenException(
          name, "the token id (jti) is over " + Security.MAX_TOKEN_ID_CHARS + " characters", null);
    }
    try {
      Store.checkKey(revocationKey(id));
    } catch (IllegalArgumentException e) {
      throw new MalformedTokenException(name, "the token id (jti) is not well-formed text", e);
    }
    Instant expiresAt = requireTime(claims, "exp", "expiry");
    Instant issuedAt = requireTime(claims, "iat", "issue time");
    @Nullable Instant notBefore =
        claims.containsKey("nbf") ? requireTime(claims, "nbf", "not-before time") : null;
    if (expiresAt.isAfter(issuedAt.plus(longestLifetime()))) {
      // maxTtl bounds every token the store accepts, not only those it creates: revoking by id
      // relies on it (the entry lives longestLifetime() plus twice the skew).
      throw new MalformedTokenException(
          name,
          "the token lives "
              + Duration.between(issuedAt, expiresAt)
              + " (iat to exp), longer than the store's maxTtl "
              + maxTtl,
          null);
    }
    Set<String> scopes;
    @Nullable Object scope = claims.get("scope");
    if (scope == null) {
      scopes = Set.of();
    } else if (scope instanceof String s) {
      scopes = new LinkedHashSet<>(Arrays.asList(s.trim().split(" +")));
      scopes.remove("");
    } else {
      throw new MalformedTokenException(name, "the scope claim is not a string", null);
    }
    Map<String, Object> extra = new LinkedHashMap<>(claims);
    extra.keySet().removeAll(Security.REGISTERED_CLAIMS);
    return new Verified(subject, scopes, id, key.id(), issuedAt, expiresAt, notBefore, extra);
  }

  /**
   * Checks {@code verified}'s validity period at {@code now}, allowing the clock skew.
   *
   * @throws TokenExpiredException if {@code now} is at or after expiry plus skew
   * @throws TokenNotYetValidException if not-before or issue time is after {@code now} plus skew
   */
  void checkTime(Verified verified, Instant now) {
    if (!now.isBefore(verified.expiresAt().plus(clockSkew))) {
      throw new TokenExpiredException(name, verified.id(), verified.expiresAt(), now);
    }
    Instant latest = now.plus(clockSkew);
    Instant notBefore = verified.notBefore();
    if (notBefore != null && notBefore.isAfter(latest)) {
      throw new TokenNotYetValidException(name, verified.id(), notBefore, now);
    }
    if (verified.issuedAt().isAfter(latest)) {
      throw new TokenNotYetValidException(name, verified.id(), verified.issuedAt(), now);
    }
  }

  private static boolean isBase64Url(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_';
  }

  private List<String> audiences(@Nullable Object aud) {
    if (aud instanceof String single) {
      return List.of(single);
    }
    if (aud instanceof List<?> list) {
      List<String> all = new ArrayList<>();
      for (Object item : list) {
        if (item instanceof String s) {
          all.add(s);
        }
      }
      return all;
    }
    return List.of();
  }

  private String text(Map<String, Object> claims, String claim, String what) {
    if (claims.get(claim) instanceof String value && !value.isBlank()) {
      return value;
    }
    throw new MalformedTokenException(
        name, "the token has no " + what + " (" + claim + ") string", null);
  }

  private Instant requireTime(Map<String, Object> claims, String claim, String what) {
    if (claims.get(claim) instanceof Number number) {
      double seconds = number.doubleValue();
      if (Double.isFinite(seconds) && Math.abs(seconds) < 1e12) {
        return Instant.ofEpochSecond((long) Math.floor(seconds));
      }
    }
    throw new MalformedTokenException(
        name, "the token has no " + what + " (" + claim + ") in seconds", null);
  }

  /** A parsed token and the key its header picked. */
  record Parsed(SignedJWT jwt, KeyEntry key) {}

  /** A token whose signature, issuer and audience have been checked. */
  record Verified(
      String subject,
      Set<String> scopes,
      String id,
      String keyId,
      Instant issuedAt,
      Instant expiresAt,
      @Nullable Instant notBefore,
      Map<String, Object> claims) {

    TokenInfo info(String store) {
      return new TokenInfo(store, subject, scopes, id, keyId, issuedAt, expiresAt, claims);
    }
  }

  /** A configured key: its id, its one algorithm, its signer (null if public only), verifier. */
  record KeyEntry(
      String id, TokenAlgorithm algorithm, @Nullable JWSSigner signer, JWSVerifier verifier) {}

  /**
   * Configures a {@link TokenStore}. Each key method checks its key at once ({@link
   * IllegalArgumentException} naming the key id and the problem, never the key's bytes). Not
   * thread-safe; the built store is.
   */
  public static final class Builder {
    private final String name;
    private @Nullable String issuer;
    private @Nullable String audience;
    private String revocationStore = Store.DEFAULT_STORE;
    private final Map<String, KeyEntry> keys = new LinkedHashMap<>();
    private @Nullable String signWith;
    private Duration defaultTtl = DEFAULT_TTL;
    private Duration maxTtl = DEFAULT_MAX_TTL;
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;

    private Builder(String name) {
      this.name = Store.checkStoreName(requireNonNull(name, "name"));
    }

    /** The issuer ({@code iss}), required: non-blank, e.g. {@code "https://auth.example"}. */
    public Builder issuer(String issuer) {
      this.issuer = nonBlank(issuer, "issuer");
      return this;
    }

    /** The audience ({@code aud}), required: non-blank, e.g. {@code "orders-api"}. */
    public Builder audience(String audience) {
      this.audience = nonBlank(audience, "audience");
      return this;
    }

    /**
     * An HMAC key: signs and verifies. The secret is copied.
     *
     * @param keyId the key id written as {@code kid}
     * @param algorithm HS256, HS384 or HS512
     * @param secret random bytes, at least {@link TokenAlgorithm#minSecretBytes()} of them
     */
    public Builder hmac(String keyId, TokenAlgorithm algorithm, byte[] secret) {
      requireNonNull(algorithm, "algorithm");
      requireNonNull(secret, "secret");
      if (!algorithm.isHmac()) {
        throw new IllegalArgumentException(
            "key '" + keyId + "': " + algorithm + " is not an HMAC algorithm");
      }
      if (secret.length < algorithm.minSecretBytes()) {
        throw new IllegalArgumentException(
            "key '"
                + keyId
                + "': the secret is "
                + secret.length
                + " bytes; "
                + algorithm
                + " needs at least "
                + algorithm.minSecretBytes()
                + " random bytes");
      }
      byte[] copy = secret.clone();
      try {
        return add(
            keyId, algorithm, new MACSigner(copy), new MACVerifier(copy), /* checkPair= */ false);
      } catch (JOSEException e) {
        throw new IllegalArgumentException("key '" + keyId + "': " + e.getMessage(), e);
      }
    }

    /**
     * A key pair: signs and verifies.
     *
     * @param keyId the key id written as {@code kid}
     * @param algorithm RS256 or PS256 (an RSA pair of at least 2048 bits) or ES256 (a P-256 pair)
     * @param pair the key pair; checked by signing and verifying once
     */
    public Builder keyPair(String keyId, TokenAlgorithm algorithm, KeyPair pair) {
      requireNonNull(pair, "pair");
      JWSVerifier verifier = verifierFor(keyId, algorithm, pair.getPublic());
      PrivateKey key = requireNonNull(pair.getPrivate(), "private key");
      JWSSigner signer;
      try {
        if (algorithm.isRsa() && key.getAlgorithm().equals("RSA")) {
          signer = new RSASSASigner(key);
        } else if (algorithm == TokenAlgorithm.ES256 && key instanceof ECPrivateKey ec) {
          signer = new ECDSASigner(ec);
        } else {
          throw new IllegalArgumentException(
              "key '"
                  + keyId
                  + "': a "
                  + key.getAlgorithm()
                  + " private key cannot sign "
                  + algorithm);
        }
      } catch (JOSEException e) {
        throw new IllegalArgumentException("key '" + keyId + "': " + e.getMessage(), e);
      }
      return add(keyId, algorithm, signer, verifier, /* checkPair= */ true);
    }

    /**
     * A public key: verifies only (an old key kept through a rotation, or another issuer's key for
     * a store that only validates).
     *
     * @param keyId the key id tokens name as {@code kid}
     * @param algorithm RS256 or PS256 (an RSA key of at least 2048 bits) or ES256 (P-256)
     */
    public Builder publicKey(String keyId, TokenAlgorithm algorithm, PublicKey key) {
      return add(keyId, algorithm, null, verifierFor(keyId, algorithm, key), false);
    }

    /** Signs new tokens with the key {@code keyId} (by default: the first key that can sign). */
    public Builder signWith(String keyId) {
      this.signWith = requireNonNull(keyId, "keyId");
      return this;
    }

    /** The lifetime of tokens created without one (default 15 minutes); at least 1 second. */
    public Builder defaultTtl(Duration ttl) {
      this.defaultTtl = requireNonNull(ttl, "ttl");
      return this;
    }

    /**
     * The longest lifetime a token may be created with, and may have to be validated (default 24
     * hours); at most 366 days.
     */
    public Builder maxTtl(Duration ttl) {
      this.maxTtl = requireNonNull(ttl, "ttl");
      return this;
    }

    /** The clock skew allowed when checking times (default 30 s); 0 to 5 minutes. */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = requireNonNull(skew, "skew");
      return this;
    }

    /**
     * The store module's store revocations are kept in (default {@value Store#DEFAULT_STORE}); it
     * must exist in the node's {@code Stores} when the module boots. A durable one (Redis) makes
     * revocations survive restarts and reach every node using it.
     */
    public Builder revocationStore(String store) {
      this.revocationStore = Store.checkStoreName(requireNonNull(store, "store"));
      return this;
    }

    /**
     * Builds the store.
     *
     * @throws IllegalArgumentException if issuer or audience is missing, there is no key, the
     *     signing key is unknown or cannot sign, or the lifetimes or skew are out of range
     */
    public TokenStore build() {
      if (issuer == null || audience == null) {
        throw new IllegalArgumentException(
            "token store '" + name + "' needs an issuer and an audience");
      }
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("token store '" + name + "' needs at least one key");
      }
      KeyEntry signing;
      if (signWith != null) {
        signing = keys.get(signWith);
        if (signing == null || signing.signer() == null) {
          throw new IllegalArgumentException(
              "token store '" + name + "': key '" + signWith + "' is not a key that can sign");
        }
      } else {
        signing = keys.values().stream().filter(k -> k.signer() != null).findFirst().orElse(null);
      }
      if (defaultTtl.compareTo(Duration.ofSeconds(1)) < 0 || maxTtl.compareTo(defaultTtl) < 0) {
        throw new IllegalArgumentException(
            "token store '"
                + name
                + "': need 1 s <= defaultTtl <= maxTtl, not "
                + defaultTtl
                + ", "
                + maxTtl);
      }
      if (maxTtl.compareTo(LONGEST_TTL) > 0) {
        throw new IllegalArgumentException(
            "token store '" + name + "': maxTtl is at most 366 days, not " + maxTtl);
      }
      if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
        throw new IllegalArgumentException(
            "token store '" + name + "': clockSkew is 0 to 5 minutes, not " + clockSkew);
      }
      return new TokenStore(this, new LinkedHashMap<>(keys), signing);
    }

    private Builder add(
        String keyId,
        TokenAlgorithm algorithm,
        @Nullable JWSSigner signer,
        JWSVerifier verifier,
        boolean checkPair) {
      nonBlank(keyId, "keyId");
      if (keys.containsKey(keyId)) {
        throw new IllegalArgumentException(
            "token store '" + name + "' has two keys '" + keyId + "'");
      }
      KeyEntry key = new KeyEntry(keyId, algorithm, signer, verifier);
      if (checkPair) {
        checkPair(key);
      }
      keys.put(keyId, key);
      return this;
    }

    /** Signs and verifies one payload, so a pair whose halves do not match is refused now. */
    private static void checkPair(KeyEntry key) {
      try {
        com.nimbusds.jose.JWSObject probe =
            new com.nimbusds.jose.JWSObject(
                new JWSHeader(key.algorithm().jws()), new Payload("probe"));
        probe.sign(requireNonNull(key.signer()));
        if (!probe.verify(key.verifier())) {
          throw new IllegalArgumentException(
              "key '" + key.id() + "': the private and public keys do not belong together");
        }
      } catch (JOSEException e) {
        throw new IllegalArgumentException("key '" + key.id() + "': " + e.getMessage(), e);
      }
    }

    private static JWSVerifier verifierFor(String keyId, TokenAlgorithm algorithm, PublicKey key) {
      requireNonNull(algorithm, "algorithm");
      requireNonNull(key, "public key");
      try {
        if (algorithm.isRsa()) {
          if (!(key instanceof RSAPublicKey rsa)) {
            throw new IllegalArgumentException(
                "key '"
                    + keyId
                    + "': "
                    + algorithm
                    + " needs an RSA key, not "
                    + key.getAlgorithm());
          }
          if (rsa.getModulus().bitLength() < 2048) {
            throw new IllegalArgumentException(
                "key '"
                    + keyId
                    + "': the RSA key has "
                    + rsa.getModulus().bitLength()
                    + " bits; at least 2048 are needed");
          }
          return new RSASSAVerifier(rsa);
        }
        if (algorithm == TokenAlgorithm.ES256) {
          if (!(key instanceof ECPublicKey ec)
              || !Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
            throw new IllegalArgumentException(
                "key '" + keyId + "': ES256 needs an EC key on P-256");
          }
          return new ECDSAVerifier(ec);
        }
        throw new IllegalArgumentException(
            "key '"
                + keyId
                + "': "
                + algorithm
                + " takes a secret (use hmac(...)), not a key pair");
      } catch (JOSEException e) {
        throw new IllegalArgumentException("key '" + keyId + "': " + e.getMessage(), e);
      }
    }

    private static String nonBlank(String value, String what) {
      requireNonNull(value, what);
      if (value.isBlank()) {
        throw new IllegalArgumentException(what + " must not be blank");
      }
      return value;
    }
  }
}
