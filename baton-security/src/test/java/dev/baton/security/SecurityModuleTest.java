package dev.baton.security;

import static dev.baton.security.Keys.SECRET;
import static dev.baton.security.Keys.b64;
import static dev.baton.security.Keys.hs256;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.modules.store.InMemoryStore;
import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreEntry;
import dev.baton.modules.store.StoreNotFoundException;
import dev.baton.modules.store.Stores;
import dev.baton.process.Event;
import dev.baton.testing.TestNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The security module through processes (coroutines and step processes) on manual time with the
 * in-memory revocation store: tokens of each algorithm are created and validated, and every kind of
 * bad token, hand-crafted byte by byte where an attacker would craft it, is refused with its own
 * typed error.
 */
class SecurityModuleTest {
  static final String ISSUER = "https://auth.baton.test";
  static final String AUDIENCE = "orders-api";

  private TestNode node;

  static TokenStore.Builder base(String name) {
    return TokenStore.builder(name).issuer(ISSUER).audience(AUDIENCE);
  }

  static List<TokenStore> stores() {
    return List.of(
        base("hs").hmac("h1", TokenAlgorithm.HS256, SECRET).build(),
        base("rs").keyPair("r1", TokenAlgorithm.RS256, Keys.RSA).build(),
        base("ps").keyPair("p1", TokenAlgorithm.PS256, Keys.RSA).build(),
        base("es").keyPair("e1", TokenAlgorithm.ES256, Keys.EC).build(),
        // HMAC and RSA together: the key's own algorithm must match the header's.
        base("mixed")
            .hmac("h1", TokenAlgorithm.HS256, SECRET)
            .publicKey("r1", TokenAlgorithm.RS256, Keys.RSA.getPublic())
            .build(),
        base("verify-only").publicKey("r1", TokenAlgorithm.RS256, Keys.RSA.getPublic()).build(),
        base("short")
            .hmac("h1", TokenAlgorithm.HS256, SECRET)
            .defaultTtl(Duration.ofMinutes(5))
            .maxTtl(Duration.ofHours(1))
            .clockSkew(Duration.ofSeconds(10))
            .build());
  }

  @BeforeEach
  void boot() {
    node =
        TestNode.builder()
            .manualTime()
            .component(Stores.component())
            .component(TokenStores.component(stores().toArray(TokenStore[]::new)))
            .dispatcher(new SecurityModule())
            .build();
  }

  @AfterEach
  void shutdown() {
    node.close();
  }

  // ---- helpers ----

  private IssuedToken create(String store, String subject, String... scopes) {
    return node.callInCoroutine(new Security.CreateToken(store, subject, Set.of(scopes)));
  }

  private TokenInfo validate(String store, String token, String... required) {
    return node.callInCoroutine(new Security.ValidateToken(store, token, Set.of(required)));
  }

  private long now() {
    return node.time().now().getEpochSecond();
  }

  /** A payload with the given claims around the node's current time. */
  private String payload(String iss, String aud, long iat, long nbf, long exp, String extra) {
    return "{\"iss\":\""
        + iss
        + "\",\"sub\":\"mallory\",\"aud\":\""
        + aud
        + "\",\"jti\":\"crafted-1\",\"iat\":"
        + iat
        + ",\"nbf\":"
        + nbf
        + ",\"exp\":"
        + exp
        + extra
        + "}";
  }

  private String goodPayload(String extra) {
    return payload(ISSUER, AUDIENCE, now(), now(), now() + 600, extra);
  }

  private static final String HS_HEADER = "{\"alg\":\"HS256\",\"kid\":\"h1\",\"typ\":\"JWT\"}";

  // ---- creating and validating, both process styles ----

  @Test
  void createThenValidate_inCoroutine_returnsActorScopesTimesAndClaims() {
    IssuedToken issued =
        node.callInCoroutine(
            new Security.CreateToken("hs", "ada", Set.of("orders:read", "orders:write"))
                .withTtl(Duration.ofMinutes(10))
                .withClaims(Map.of("tenant", "acme", "level", 3, "tags", List.of("a", "b"))));

    TokenInfo info = validate("hs", issued.token(), "orders:read");

    Instant now = node.time().now();
    assertThat(issued.token().split("\\.", -1)).hasSize(3);
    assertThat(issued.keyId()).isEqualTo("h1");
    assertThat(issued.issuedAt()).isEqualTo(now);
    assertThat(issued.expiresAt()).isEqualTo(now.plus(Duration.ofMinutes(10)));
    assertThat(info.subject()).isEqualTo("ada");
    assertThat(info.scopes()).containsExactlyInAnyOrder("orders:read", "orders:write");
    assertThat(info.id()).isEqualTo(issued.id());
    assertThat(info.keyId()).isEqualTo("h1");
    assertThat(info.store()).isEqualTo("hs");
    assertThat(info.issuedAt()).isEqualTo(issued.issuedAt());
    assertThat(info.expiresAt()).isEqualTo(issued.expiresAt());
    assertThat(info.claims())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("tenant", "acme", "level", 3L, "tags", List.of("a", "b")));
    String header =
        new String(Base64.getUrlDecoder().decode(issued.token().split("\\.", -1)[0]), UTF_8);
    assertThat(header).contains("\"alg\":\"HS256\"").contains("\"kid\":\"h1\"");
  }

  @Test
  void createThenValidate_inStepProcess_rs256() {
    Event.Completion created =
        node.yieldFromStep(new Security.CreateToken("rs", "bob", Set.of("x")));
    assertThat(created.error()).isNull();
    IssuedToken issued = (IssuedToken) java.util.Objects.requireNonNull(created.result());

    Event.Completion validated =
        node.yieldFromStep(new Security.ValidateToken("rs", issued.token(), Set.of("x")));

    assertThat(validated.error()).isNull();
    TokenInfo info = (TokenInfo) java.util.Objects.requireNonNull(validated.result());
    assertThat(info.subject()).isEqualTo("bob");
    assertThat(info.scopes()).containsExactly("x");
  }

  @Test
  void rejection_inStepProcess_arrivesAsTheCompletionsError() {
    Event.Completion completion =
        node.yieldFromStep(new Security.ValidateToken("hs", "not-a-token"));

    assertThat(completion.result()).isNull();
    assertThat(completion.error()).isInstanceOf(MalformedTokenException.class);
  }

  @Test
  void ps256AndEs256Tokens_roundTrip() {
    for (String store : List.of("ps", "es")) {
      IssuedToken issued = create(store, "carol", "read");
      TokenInfo info = validate(store, issued.token(), "read");
      assertThat(info.subject()).isEqualTo("carol");
      assertThat(info.keyId()).isEqualTo(store.charAt(0) + "1");
    }
  }

  @Test
  void defaultTtl_isTheStores_andTtlIsRoundedUpToWholeSeconds() {
    IssuedToken byDefault = create("short", "ada");
    IssuedToken rounded =
        node.callInCoroutine(
            new Security.CreateToken("short", "ada", Set.of()).withTtl(Duration.ofMillis(1500)));

    assertThat(Duration.between(byDefault.issuedAt(), byDefault.expiresAt()))
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(Duration.between(rounded.issuedAt(), rounded.expiresAt()))
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void keyRotation_tokensOfTheOldKeyStillValidate_newOnesAreSignedWithTheNewKey() {
    TokenStore rotated =
        base("hs")
            .hmac("h2", TokenAlgorithm.HS512, Keys.random(64))
            .hmac("h1", TokenAlgorithm.HS256, SECRET)
            .signWith("h2")
            .build();
    IssuedToken old = create("hs", "ada");
    try (TestNode next =
        TestNode.builder()
            .manualTime()
            .component(Stores.component())
            .component(TokenStores.component(rotated))
            .dispatcher(new SecurityModule())
            .build()) {
      IssuedToken fresh = next.callInCoroutine(new Security.CreateToken("hs", "ada", Set.of()));

      assertThat(fresh.keyId()).isEqualTo("h2");
      assertThat(next.callInCoroutine(new Security.ValidateToken("hs", fresh.token())).keyId())
          .isEqualTo("h2");
      assertThat(next.callInCoroutine(new Security.ValidateToken("hs", old.token())).keyId())
          .isEqualTo("h1");
    }
  }

  @Test
  void slowCryptoRunsOnTheWorkers_cheapCryptoInline_provenByStoppingTheWorkers() {
    IssuedToken rsToken = create("rs", "ada");
    IssuedToken esToken = create("es", "ada");
    SecurityModule module = new SecurityModule(1);
    try (TestNode other =
        TestNode.builder()
            .manualTime()
            .component(Stores.component())
            .component(TokenStores.component(stores().toArray(TokenStore[]::new)))
            .dispatcher(module)
            .build()) {
      module.stop(); // the workers are gone; inline work still runs

      // HMAC signing and RSA verification are inline.
      IssuedToken hs = other.callInCoroutine(new Security.CreateToken("hs", "ada", Set.of()));
      assertThat(other.callInCoroutine(new Security.ValidateToken("hs", hs.token())).subject())
          .isEqualTo("ada");
      assertThat(other.callInCoroutine(new Security.ValidateToken("rs", rsToken.token())).id())
          .isEqualTo(rsToken.id());
      // RSA and ECDSA signing, and ECDSA verification, needed the workers.
      for (Security.CreateToken slow :
          List.of(
              new Security.CreateToken("rs", "ada", Set.of()),
              new Security.CreateToken("es", "ada", Set.of()))) {
        assertThatThrownBy(() -> other.callInCoroutine(slow))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("stopped");
      }
      assertThatThrownBy(
              () -> other.callInCoroutine(new Security.ValidateToken("es", esToken.token())))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  // ---- expiry and not-before, on the manual clock ----

  @Test
  void expiredTokenIsRejected_afterTtlPlusSkew_butAcceptedWithinTheSkew() {
    IssuedToken issued =
        node.callInCoroutine(
            new Security.CreateToken("short", "ada", Set.of()).withTtl(Duration.ofMinutes(1)));

    node.manualTime().advance(Duration.ofSeconds(60 + 9)); // within the 10 s skew
    assertThat(validate("short", issued.token()).subject()).isEqualTo("ada");

    node.manualTime().advance(Duration.ofSeconds(1)); // exp + skew reached
    assertThatThrownBy(() -> validate("short", issued.token()))
        .isInstanceOfSatisfying(
            TokenExpiredException.class,
            e -> {
              assertThat(e.expiresAt()).isEqualTo(issued.expiresAt());
              assertThat(e.tokenId()).isEqualTo(issued.id());
            })
        .hasMessageContaining("expired at " + issued.expiresAt());
  }

  @Test
  void tokenNotYetValid_isRejected_beyondTheSkew() {
    long nbf = now() + 120;
    String token = hs256(SECRET, HS_HEADER, payload(ISSUER, AUDIENCE, now(), nbf, nbf + 600, ""));

    assertThatThrownBy(() -> validate("hs", token))
        .isInstanceOfSatisfying(
            TokenNotYetValidException.class,
            e -> assertThat(e.validFrom()).isEqualTo(Instant.ofEpochSecond(nbf)));

    node.manualTime().advance(Duration.ofSeconds(120 - 30)); // within the default 30 s skew
    assertThat(validate("hs", token).subject()).isEqualTo("mallory");
  }

  @Test
  void tokenIssuedInTheFuture_isRejected() {
    long iat = now() + 3600;
    String token = hs256(SECRET, HS_HEADER, payload(ISSUER, AUDIENCE, iat, now(), iat + 600, ""));

    assertThatThrownBy(() -> validate("hs", token)).isInstanceOf(TokenNotYetValidException.class);
  }

  // ---- hand-crafted attacks ----

  @Test
  void unsecuredAlgNoneToken_isRejected_inAnySpelling() {
    for (String alg : List.of("none", "None", "NONE", "nOnE")) {
      String token =
          b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(goodPayload("")) + ".";
      assertThatThrownBy(() -> validate("hs", token))
          .as(alg)
          .isInstanceOf(UnsecuredTokenException.class)
          .hasMessageContaining("alg=none");
    }
    // alg=none with a signature part copied from a genuine token is no better.
    String genuine = create("hs", "ada").token();
    String forged =
        b64("{\"alg\":\"none\"}") + "." + b64(goodPayload("")) + "." + genuine.split("\\.", -1)[2];
    assertThatThrownBy(() -> validate("hs", forged)).isInstanceOf(UnsecuredTokenException.class);
  }

  @Test
  void algorithmNotAllowedForTheStore_isRejected() {
    // A genuine HS512 signature with the store's own secret: HS512 is not this store's algorithm.
    String token =
        Keys.hmacToken("HmacSHA512", SECRET, "{\"alg\":\"HS512\",\"kid\":\"h1\"}", goodPayload(""));

    assertThatThrownBy(() -> validate("hs", token))
        .isInstanceOfSatisfying(
            AlgorithmNotAllowedException.class, e -> assertThat(e.algorithm()).isEqualTo("HS512"))
        .hasMessageContaining("[HS256]");
  }

  @Test
  void algorithmConfusion_hs256SignedWithTheRsaPublicKey_isRejected() {
    byte[] publicDer = Keys.RSA.getPublic().getEncoded();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(publicDer)
            + "\n-----END PUBLIC KEY-----\n";
    for (byte[] secret : List.of(publicDer, pem.getBytes(UTF_8))) {
      String token =
          hs256(secret, "{\"alg\":\"HS256\",\"kid\":\"r1\",\"typ\":\"JWT\"}", goodPayload(""));
      // A store with RSA keys only: HS256 is not allowed at all.
      assertThatThrownBy(() -> validate("rs", token))
          .isInstanceOf(AlgorithmNotAllowedException.class);
      // A store allowing HS256 too: the kid names an RS256 key, whose algorithm is fixed.
      assertThatThrownBy(() -> validate("mixed", token))
          .isInstanceOf(AlgorithmNotAllowedException.class)
          .hasMessageContaining("key 'r1', which is a RS256 key");
    }
  }

  @Test
  void tokenSignedWithAnotherKey_underAKnownKid_failsTheSignature() {
    String hmac = hs256(Keys.OTHER_SECRET, HS_HEADER, goodPayload(""));
    String rsa =
        Keys.rs256(
            Keys.OTHER_RSA.getPrivate(), "{\"alg\":\"RS256\",\"kid\":\"r1\"}", goodPayload(""));

    assertThatThrownBy(() -> validate("hs", hmac))
        .isInstanceOfSatisfying(
            InvalidSignatureException.class, e -> assertThat(e.keyId()).isEqualTo("h1"));
    assertThatThrownBy(() -> validate("rs", rsa)).isInstanceOf(InvalidSignatureException.class);
  }

  @Test
  void unknownOrMissingKid_isRejected() {
    String unknown = hs256(SECRET, "{\"alg\":\"HS256\",\"kid\":\"h9\"}", goodPayload(""));
    String missing = hs256(SECRET, "{\"alg\":\"HS256\"}", goodPayload(""));

    assertThatThrownBy(() -> validate("hs", unknown))
        .isInstanceOfSatisfying(
            UnknownKeyException.class, e -> assertThat(e.keyId()).isEqualTo("h9"))
        .hasMessageContaining("[h1]");
    assertThatThrownBy(() -> validate("hs", missing))
        .isInstanceOfSatisfying(UnknownKeyException.class, e -> assertThat(e.keyId()).isNull());
  }

  @Test
  void tamperedPayload_isRejected() {
    String[] parts = create("hs", "ada", "read").token().split("\\.", -1);
    String claims = new String(Keys.unb64(parts[1]), UTF_8);
    String escalated = claims.replace("\"scope\":\"read\"", "\"scope\":\"read admin\"");
    assertThat(escalated).isNotEqualTo(claims);

    String tampered = parts[0] + "." + b64(escalated) + "." + parts[2];

    assertThatThrownBy(() -> validate("hs", tampered, "admin"))
        .isInstanceOf(InvalidSignatureException.class);
  }

  @Test
  void tamperedHeader_isRejected() {
    String[] parts = create("rs", "ada").token().split("\\.", -1);
    String header = new String(Keys.unb64(parts[0]), UTF_8);
    String changed = header.replace("\"typ\":\"JWT\"", "\"typ\":\"JWT\",\"x\":1");
    assertThat(changed).isNotEqualTo(header);

    String tampered = b64(changed) + "." + parts[1] + "." + parts[2];

    assertThatThrownBy(() -> validate("rs", tampered))
        .isInstanceOf(InvalidSignatureException.class);
  }

  @Test
  void tamperedSignature_isRejected_forEveryAlgorithm() {
    for (String store : List.of("hs", "rs", "ps", "es")) {
      String[] parts = create(store, "ada").token().split("\\.", -1);
      byte[] signature = Keys.unb64(parts[2]);
      signature[signature.length / 2] ^= 0x01;
      String tampered = parts[0] + "." + parts[1] + "." + b64(signature);

      assertThatThrownBy(() -> validate(store, tampered))
          .as(store)
          .isInstanceOf(InvalidSignatureException.class);
    }
  }

  @Test
  void wrongIssuer_isRejected() {
    String token =
        hs256(
            SECRET,
            HS_HEADER,
            payload("https://evil.test", AUDIENCE, now(), now(), now() + 60, ""));

    assertThatThrownBy(() -> validate("hs", token))
        .isInstanceOf(WrongIssuerException.class)
        .hasMessageContaining("'https://evil.test', expected '" + ISSUER + "'");
  }

  @Test
  void wrongAudience_isRejected() {
    String token =
        hs256(SECRET, HS_HEADER, payload(ISSUER, "billing-api", now(), now(), now() + 60, ""));

    assertThatThrownBy(() -> validate("hs", token))
        .isInstanceOf(WrongAudienceException.class)
        .hasMessageContaining("[billing-api]");
  }

  @Test
  void malformedTokens_areRejected() {
    String noExpiry =
        hs256(
            SECRET,
            HS_HEADER,
            "{\"iss\":\""
                + ISSUER
                + "\",\"aud\":\""
                + AUDIENCE
                + "\",\"sub\":\"x\",\"jti\":\"j\",\"iat\":"
                + now()
                + "}");
    String critical =
        hs256(
            SECRET,
            "{\"alg\":\"HS256\",\"kid\":\"h1\",\"crit\":[\"exp\"],\"exp\":1}",
            goodPayload(""));
    // Correctly signed, but the payload is not JSON (the signature is checked first).
    String notJson = hs256(SECRET, HS_HEADER, "plain text");
    String encrypted =
        b64("{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"h1\"}")
            + "..AAAAAAAAAAAAAAAA."
            + b64("ciphertext")
            + ".AAAAAAAAAAAAAAAAAAAAAA";
    for (String token :
        List.of(
            "",
            "abc",
            "a.b.c",
            "!!!.???.###",
            "x".repeat(Security.MAX_TOKEN_CHARS + 1),
            noExpiry,
            critical,
            notJson,
            encrypted)) {
      assertThatThrownBy(() -> validate("hs", token))
          .as(token.length() > 40 ? token.substring(0, 40) : token)
          .isInstanceOf(MalformedTokenException.class);
    }
  }

  @Test
  void malformedTokens_sayWhatIsWrong() {
    String encrypted =
        b64("{\"alg\":\"dir\",\"enc\":\"A128GCM\"}")
            + "..AAAAAAAAAAAAAAAA."
            + b64("ciphertext")
            + ".AAAAAAAAAAAAAAAAAAAAAA";
    String noExpiry =
        hs256(
            SECRET,
            HS_HEADER,
            "{\"iss\":\""
                + ISSUER
                + "\",\"aud\":\""
                + AUDIENCE
                + "\",\"sub\":\"x\",\"jti\":\"j\"}");

    assertThatThrownBy(() -> validate("hs", encrypted))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("(JWE)");
    assertThatThrownBy(() -> validate("hs", noExpiry))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("(exp)");
    assertThatThrownBy(() -> validate("hs", "x".repeat(Security.MAX_TOKEN_CHARS + 1)))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("longer than 16384");
  }

  @Test
  void missingRequiredScope_isADistinctInsufficientScopeError() {
    IssuedToken issued = create("hs", "ada", "orders:read");

    assertThatThrownBy(() -> validate("hs", issued.token(), "orders:read", "orders:write"))
        .isInstanceOfSatisfying(
            InsufficientScopeException.class,
            e -> {
              assertThat(e.missing()).containsExactly("orders:write");
              assertThat(e.subject()).isEqualTo("ada");
            })
        .isNotInstanceOf(InvalidTokenException.class);
  }

  @Test
  void errors_neverCarryTheKeyOrTheToken() {
    String token = hs256(Keys.OTHER_SECRET, HS_HEADER, goodPayload(""));
    String secretB64 = Base64.getEncoder().encodeToString(SECRET);
    String secretUrl = b64(SECRET);

    Throwable error = node.yieldFromStep(new Security.ValidateToken("hs", token)).error();

    assertThat(error).isInstanceOf(InvalidSignatureException.class);
    for (Throwable t = error; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage()))
          .doesNotContain(secretB64)
          .doesNotContain(secretUrl)
          .doesNotContain(token)
          .doesNotContain(token.split("\\.", -1)[2]);
    }
    assertThat(new Security.ValidateToken("hs", token).toString()).doesNotContain(token);
    assertThat(Security.RevokeToken.token("hs", token).toString()).doesNotContain(token);
    IssuedToken issued = create("hs", "ada");
    assertThat(issued.toString()).doesNotContain(issued.token());
  }

  // ---- revocation, in memory (the Redis test shows it across nodes) ----

  @Test
  void revokedToken_isRejected_andRevokingAgainReportsFalse() {
    IssuedToken issued = create("hs", "ada");
    assertThat(validate("hs", issued.token()).subject()).isEqualTo("ada");

    boolean first = node.callInCoroutine(Security.RevokeToken.token("hs", issued.token()));
    boolean again = node.callInCoroutine(Security.RevokeToken.id("hs", issued.id()));

    assertThat(first).isTrue();
    assertThat(again).isFalse();
    assertThatThrownBy(() -> validate("hs", issued.token()))
        .isInstanceOfSatisfying(
            TokenRevokedException.class, e -> assertThat(e.tokenId()).isEqualTo(issued.id()));
    // Other tokens are untouched.
    assertThat(validate("hs", create("hs", "ada").token()).subject()).isEqualTo("ada");
  }

  @Test
  void revokeById_inStepProcess_rejectsTheToken() {
    IssuedToken issued = create("es", "ada");

    Event.Completion revoked = node.yieldFromStep(Security.RevokeToken.id("es", issued.id()));

    assertThat(revoked.error()).isNull();
    assertThat(revoked.result()).isEqualTo(true);
    assertThat(node.yieldFromStep(new Security.ValidateToken("es", issued.token())).error())
        .isInstanceOf(TokenRevokedException.class);
  }

  @Test
  void revocationEntry_livesAsLongAsTheTokenCouldBeAccepted_thenGoes() throws Exception {
    IssuedToken issued =
        node.callInCoroutine(
            new Security.CreateToken("short", "ada", Set.of()).withTtl(Duration.ofMinutes(30)));
    node.manualTime().advance(Duration.ofMinutes(10));
    var _ = node.callInCoroutine(Security.RevokeToken.token("short", issued.token()));

    InMemoryStore store =
        (InMemoryStore) node.services().require(Stores.KEY).require(Store.DEFAULT_STORE);
    String key = TokenStore.REVOCATION_PREFIX + "short:" + issued.id();
    Optional<StoreEntry> entry = store.entry(key).toCompletableFuture().get();

    assertThat(entry).isPresent();
    // The token's expiry plus the store's 10 s skew.
    assertThat(entry.get().expiresAt()).isEqualTo(issued.expiresAt().plusSeconds(10));

    node.manualTime().advance(Duration.ofMinutes(20).plusSeconds(10));
    assertThat(store.entry(key).toCompletableFuture().get()).isEmpty();
    assertThatThrownBy(() -> validate("short", issued.token()))
        .isInstanceOf(TokenExpiredException.class);
  }

  @Test
  void revokingAnExpiredToken_recordsNothing() {
    IssuedToken issued =
        node.callInCoroutine(
            new Security.CreateToken("short", "ada", Set.of()).withTtl(Duration.ofSeconds(5)));
    node.manualTime().advance(Duration.ofMinutes(1));

    boolean recorded = node.callInCoroutine(Security.RevokeToken.token("short", issued.token()));

    assertThat(recorded).isFalse();
  }

  @Test
  void revokingAForgedToken_isRefusedLikeValidating() {
    String forged = hs256(Keys.OTHER_SECRET, HS_HEADER, goodPayload(""));

    assertThatThrownBy(() -> node.callInCoroutine(Security.RevokeToken.token("hs", forged)))
        .isInstanceOf(InvalidSignatureException.class);
  }

  // ---- creating: the store's limits ----

  @Test
  void ttlOverTheStoresMaximum_isRefused() {
    assertThatThrownBy(
            () ->
                node.callInCoroutine(
                    new Security.CreateToken("short", "ada", Set.of())
                        .withTtl(Duration.ofHours(2))))
        .isInstanceOf(TtlTooLongException.class)
        .hasMessageContaining("at most PT1H");
  }

  @Test
  void verifyOnlyStore_cannotCreate_butValidatesTheIssuersTokens() {
    IssuedToken fromRs = create("rs", "ada");

    assertThatThrownBy(() -> create("verify-only", "ada"))
        .isInstanceOf(NoSigningKeyException.class);
    assertThat(validate("verify-only", fromRs.token()).subject()).isEqualTo("ada");
  }

  @Test
  void unknownTokenStore_isNamedWithTheKnownOnes() {
    assertThatThrownBy(() -> create("nope", "ada"))
        .isInstanceOfSatisfying(
            TokenStoreNotFoundException.class,
            e -> assertThat(e.known()).contains("hs", "rs", "es"));
  }

  // ---- argument and configuration checks ----

  @Test
  void badCommandArguments_failWhenTheCommandIsMade() {
    assertThatThrownBy(() -> new Security.CreateToken("hs", " ", Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Security.CreateToken("hs", "ada", Set.of("two words")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new Security.CreateToken("hs", "ada", Set.of()).withClaims(Map.of("exp", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'exp'");
    assertThatThrownBy(
            () ->
                new Security.CreateToken("hs", "ada", Set.of())
                    .withClaims(Map.of("when", Instant.EPOCH)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new Security.CreateToken("hs", "ada", Set.of()).withTtl(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Security.RevokeToken("hs", "t", "id"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Security.RevokeToken("hs", null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shortHmacSecrets_areRefusedAtConfiguration() {
    assertThatThrownBy(() -> base("x").hmac("k", TokenAlgorithm.HS256, Keys.random(31)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("31 bytes; HS256 needs at least 32");
    assertThatThrownBy(() -> base("x").hmac("k", TokenAlgorithm.HS384, Keys.random(47)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> base("x").hmac("k", TokenAlgorithm.HS512, Keys.random(63)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(base("x").hmac("k", TokenAlgorithm.HS512, Keys.random(64)).build().algorithms())
        .containsExactly(TokenAlgorithm.HS512);
  }

  @Test
  void weakOrMismatchedKeys_areRefusedAtConfiguration() {
    assertThatThrownBy(
            () -> base("x").keyPair("k", TokenAlgorithm.RS256, Keys.generate("RSA", 1024)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1024 bits");
    assertThatThrownBy(
            () ->
                base("x")
                    .keyPair(
                        "k",
                        TokenAlgorithm.RS256,
                        new java.security.KeyPair(
                            Keys.RSA.getPublic(), Keys.OTHER_RSA.getPrivate())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("do not belong together");
    assertThatThrownBy(
            () -> base("x").keyPair("k", TokenAlgorithm.ES256, Keys.generateEc("secp384r1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("P-256");
    assertThatThrownBy(() -> base("x").keyPair("k", TokenAlgorithm.ES256, Keys.RSA))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> base("x").keyPair("k", TokenAlgorithm.HS256, Keys.RSA))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> base("x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one key");
    assertThatThrownBy(
            () ->
                base("x")
                    .hmac("k", TokenAlgorithm.HS256, SECRET)
                    .maxTtl(Duration.ofDays(400))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMissingRevocationStore_failsTheBoot() {
    TokenStore store =
        base("hs").hmac("h1", TokenAlgorithm.HS256, SECRET).revocationStore("revoked").build();

    assertThatThrownBy(
            () ->
                TestNode.builder()
                    .manualTime()
                    .component(Stores.component())
                    .component(TokenStores.component(store))
                    .dispatcher(new SecurityModule())
                    .build())
        .hasRootCauseInstanceOf(StoreNotFoundException.class);
  }
}
