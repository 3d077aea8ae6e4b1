package dev.baton.security;

import static dev.baton.security.Keys.SECRET;
import static dev.baton.security.Keys.b64;
import static dev.baton.security.Keys.hs256;
import static dev.baton.security.SecurityModuleTest.AUDIENCE;
import static dev.baton.security.SecurityModuleTest.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.modules.store.Stores;
import dev.baton.testing.TestNode;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens an attacker crafts around a genuine signature or a genuine key: other spellings of a
 * genuine token, the JOSE features the module does not accept (unencoded and compressed payloads,
 * the JSON serialization, keys embedded in the header), duplicate names, deep nesting, hostile
 * header text in messages, lifetimes over the store's maximum, and the clock-skew boundaries to the
 * millisecond. Each is refused with its own typed error.
 */
class HostileTokenTest {
  private static final String HS_HEADER = "{\"alg\":\"HS256\",\"kid\":\"h1\",\"typ\":\"JWT\"}";

  private TestNode node;

  @BeforeEach
  void boot() {
    node =
        TestNode.builder()
            .manualTime()
            .component(Stores.component())
            .component(
                TokenStores.component(SecurityModuleTest.stores().toArray(TokenStore[]::new)))
            .dispatcher(new SecurityModule())
            .build();
  }

  @AfterEach
  void shutdown() {
    node.close();
  }

  private TokenInfo validate(String store, String token) {
    return node.callInCoroutine(new Security.ValidateToken(store, token));
  }

  private long now() {
    return node.time().now().getEpochSecond();
  }

  private static String payload(long iat, long nbf, long exp, String jti) {
    return "{\"iss\":\""
        + ISSUER
        + "\",\"sub\":\"mallory\",\"aud\":\""
        + AUDIENCE
        + "\",\"jti\":\""
        + jti
        + "\",\"iat\":"
        + iat
        + ",\"nbf\":"
        + nbf
        + ",\"exp\":"
        + exp
        + "}";
  }

  private String goodPayload() {
    return payload(now(), now(), now() + 600, "crafted-1");
  }

  @Test
  void aGenuineTokenSpeltAnotherWay_isMalformed_soATokenHasExactlyOneSpelling() {
    String genuine = node.callInCoroutine(new Security.CreateToken("hs", "ada", Set.of())).token();
    assertThat(validate("hs", genuine).subject()).isEqualTo("ada");
    // HS256: 32 signature bytes are 43 characters whose last one carries 2 unused bits; setting
    // one of them decodes to the same bytes in a lenient decoder.
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char last = genuine.charAt(genuine.length() - 1);
    String unusedBitSet =
        genuine.substring(0, genuine.length() - 1) + alphabet.charAt(alphabet.indexOf(last) | 1);
    int cut = genuine.length() - 5;

    for (String respelt :
        List.of(
            genuine + "!!",
            genuine + "=",
            genuine + "\n",
            " " + genuine,
            genuine.substring(0, cut) + " " + genuine.substring(cut),
            genuine.substring(0, cut) + "\u00e9" + genuine.substring(cut),
            unusedBitSet)) {
      assertThatThrownBy(() -> validate("hs", respelt))
          .as(respelt)
          .isInstanceOf(MalformedTokenException.class);
    }
  }

  @Test
  void jsonSerializationAndExtraParts_areMalformed() {
    String genuine = node.callInCoroutine(new Security.CreateToken("hs", "ada", Set.of())).token();
    String[] parts = genuine.split("\\.", -1);
    String json =
        "{\"payload\":\""
            + parts[1]
            + "\",\"protected\":\""
            + parts[0]
            + "\",\"signature\":\""
            + parts[2]
            + "\"}";

    assertThatThrownBy(() -> validate("hs", json))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("compact JWS only");
    assertThatThrownBy(() -> validate("hs", genuine + ".AAAA"))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("not a compact JWS");
    assertThatThrownBy(() -> validate("hs", "." + parts[1] + "." + parts[2]))
        .isInstanceOf(MalformedTokenException.class);
    // A three-part token whose header announces encryption is not taken for a JWS.
    String enc = hs256(SECRET, "{\"alg\":\"HS256\",\"kid\":\"h1\",\"enc\":\"A128GCM\"}", "x");
    assertThatThrownBy(() -> validate("hs", enc))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("(JWE)");
  }

  @Test
  void unencodedOrCompressedPayloadHeaders_areMalformed_evenWhenCorrectlySigned() {
    String b64Critical =
        hs256(SECRET, "{\"alg\":\"HS256\",\"kid\":\"h1\",\"b64\":false,\"crit\":[\"b64\"]}", "x");
    String b64Alone = hs256(SECRET, "{\"alg\":\"HS256\",\"kid\":\"h1\",\"b64\":false}", "x");
    String b64True =
        hs256(SECRET, "{\"alg\":\"HS256\",\"kid\":\"h1\",\"b64\":true}", goodPayload());
    String zip = hs256(SECRET, "{\"alg\":\"HS256\",\"kid\":\"h1\",\"zip\":\"DEF\"}", goodPayload());

    for (String token : List.of(b64Critical, b64Alone, b64True)) {
      assertThatThrownBy(() -> validate("hs", token))
          .isInstanceOf(MalformedTokenException.class)
          .hasMessageContaining("unencoded payloads (b64)");
    }
    assertThatThrownBy(() -> validate("hs", zip))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("compressed tokens (zip)");
  }

  @Test
  void keysEmbeddedInTheHeader_areIgnored_theConfiguredKeyDecides() {
    RSAPublicKey attacker = (RSAPublicKey) Keys.OTHER_RSA.getPublic();
    String jwk =
        "{\"kty\":\"RSA\",\"kid\":\"r1\",\"n\":\""
            + b64(unsigned(attacker.getModulus().toByteArray()))
            + "\",\"e\":\""
            + b64(unsigned(attacker.getPublicExponent().toByteArray()))
            + "\"}";
    for (String extra :
        List.of(
            ",\"jwk\":" + jwk,
            ",\"jku\":\"https://evil.test/jwks.json\"",
            ",\"x5u\":\"https://evil.test/cert.pem\"",
            ",\"x5c\":[\"MIIB\"]")) {
      String token =
          Keys.rs256(
              Keys.OTHER_RSA.getPrivate(),
              "{\"alg\":\"RS256\",\"kid\":\"r1\"" + extra + "}",
              goodPayload());

      assertThatThrownBy(() -> validate("rs", token))
          .as(extra)
          .isInstanceOfSatisfying(
              InvalidSignatureException.class, e -> assertThat(e.keyId()).isEqualTo("r1"));
    }
  }

  private static byte[] unsigned(byte[] twosComplement) {
    return twosComplement[0] == 0
        ? java.util.Arrays.copyOfRange(twosComplement, 1, twosComplement.length)
        : twosComplement;
  }

  @Test
  void duplicateNamesInHeaderOrPayload_areMalformed() {
    for (String header :
        List.of(
            "{\"alg\":\"HS256\",\"kid\":\"h1\",\"alg\":\"none\"}",
            "{\"alg\":\"none\",\"kid\":\"h1\",\"alg\":\"HS256\"}",
            "{\"alg\":\"HS256\",\"kid\":\"h9\",\"kid\":\"h1\"}")) {
      assertThatThrownBy(() -> validate("hs", hs256(SECRET, header, goodPayload())))
          .as(header)
          .isInstanceOf(MalformedTokenException.class);
    }
    String twoSubjects =
        goodPayload().replace("\"sub\":\"mallory\"", "\"sub\":\"mallory\",\"sub\":\"admin\"");
    assertThatThrownBy(() -> validate("hs", hs256(SECRET, HS_HEADER, twoSubjects)))
        .isInstanceOf(MalformedTokenException.class);
  }

  @Test
  void deeplyNestedHeader_isMalformed_andTheModuleKeepsWorking() {
    String deep =
        "{\"alg\":\"HS256\",\"kid\":\"h1\",\"x\":" + "[".repeat(6000) + "]".repeat(6000) + "}";
    String token = b64(deep) + "." + b64(goodPayload()) + ".AAAA";
    assertThat(token.length()).isLessThanOrEqualTo(Security.MAX_TOKEN_CHARS);

    assertThatThrownBy(() -> validate("hs", token)).isInstanceOf(MalformedTokenException.class);
    IssuedToken after = node.callInCoroutine(new Security.CreateToken("hs", "ada", Set.of()));
    assertThat(validate("hs", after.token()).subject()).isEqualTo("ada");
  }

  @Test
  void anOversizedToken_isRefusedByItsLengthAlone() {
    String huge = "A".repeat(4_000_000) + "." + "A".repeat(4) + "." + "A".repeat(4);

    assertThatThrownBy(() -> validate("hs", huge))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("longer than 16384 characters");
  }

  @Test
  void headerTextChosenByTheSender_isQuotedSafely_inMessages() {
    String kid = "h9\nERROR forged log line " + "x".repeat(5000);
    String unknownKid =
        hs256(
            SECRET,
            "{\"alg\":\"HS256\",\"kid\":\"h9\\nERROR forged log line " + "x".repeat(5000) + "\"}",
            goodPayload());
    String longAlg =
        hs256(SECRET, "{\"alg\":\"" + "A".repeat(5000) + "\\r\",\"kid\":\"h1\"}", goodPayload());

    assertThatThrownBy(() -> validate("hs", unknownKid))
        .isInstanceOfSatisfying(
            UnknownKeyException.class,
            e -> {
              assertThat(e.keyId()).isEqualTo(kid);
              assertThat(e.getMessage()).doesNotContain("\n").contains("h9\\u000aERROR");
              assertThat(String.valueOf(e.getMessage())).hasSizeLessThan(300);
            });
    assertThatThrownBy(() -> validate("hs", longAlg))
        .isInstanceOfSatisfying(
            AlgorithmNotAllowedException.class,
            e -> {
              assertThat(e.getMessage()).doesNotContain("\r").contains("(5001 characters)");
              assertThat(String.valueOf(e.getMessage())).hasSizeLessThan(300);
            });
  }

  @Test
  void revocationKeys_cannotCollideAcrossTokenStores_whateverTheJti() {
    // A jti is the issuer's text (':' included); the store name before it cannot hold ':'.
    assertThatThrownBy(() -> SecurityModuleTest.base("hs:x"))
        .isInstanceOf(IllegalArgumentException.class);
    TokenStore hs = SecurityModuleTest.stores().get(0);
    assertThat(hs.revocationKey("x:y")).isEqualTo("security:revoked:hs:x:y");

    // A crafted, genuinely signed token whose jti looks like another store's key path.
    String token = hs256(SECRET, HS_HEADER, payload(now(), now(), now() + 600, "short:abc"));
    boolean recorded = node.callInCoroutine(Security.RevokeToken.token("hs", token));
    assertThat(recorded).isTrue();
    assertThatThrownBy(() -> validate("hs", token)).isInstanceOf(TokenRevokedException.class);
    String other = hs256(SECRET, HS_HEADER, payload(now(), now(), now() + 600, "abc"));
    assertThat(validate("short", other).id()).isEqualTo("abc");
  }

  // ---- lifetimes and times ----

  @Test
  void aTokenLivingLongerThanTheStoresMaxTtl_isRefused_evenFromTheStoresOwnKey() {
    // "short": maxTtl 1 h.
    long iat = now();
    String tooLong = hs256(SECRET, HS_HEADER, payload(iat, iat, iat + 3601, "long-1"));
    String longest = hs256(SECRET, HS_HEADER, payload(iat, iat, iat + 3600, "long-2"));

    assertThatThrownBy(() -> validate("short", tooLong))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("longer than the store's maxTtl PT1H");
    assertThat(validate("short", longest).id()).isEqualTo("long-2");
  }

  @Test
  void revokingById_coversATokenIssuedUpToTheSkewAhead_untilItsLastAcceptedMoment() {
    // "short": maxTtl 1 h, skew 10 s. An issuer whose clock is 10 s ahead of this node.
    long iat = now() + 10;
    String token = hs256(SECRET, HS_HEADER, payload(iat, iat, iat + 3600, "ahead-1"));
    assertThat(validate("short", token).id()).isEqualTo("ahead-1");

    boolean recorded = node.callInCoroutine(Security.RevokeToken.id("short", "ahead-1"));
    assertThat(recorded).isTrue();

    // Accepted until exp + skew = now + 3620 s, were it not revoked.
    node.manualTime().advance(Duration.ofSeconds(3620).minusMillis(1));
    assertThatThrownBy(() -> validate("short", token))
        .isInstanceOfSatisfying(
            TokenRevokedException.class, e -> assertThat(e.tokenId()).isEqualTo("ahead-1"));
    node.manualTime().advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> validate("short", token)).isInstanceOf(TokenExpiredException.class);
  }

  @Test
  void skewBoundaries_toTheMillisecond() {
    // "short": skew 10 s.
    long t = now();
    String notYet = hs256(SECRET, HS_HEADER, payload(t, t + 60, t + 600, "nbf-1"));
    String future = hs256(SECRET, HS_HEADER, payload(t + 60, t + 60, t + 600, "iat-1"));

    node.manualTime().advance(Duration.ofSeconds(50).minusMillis(1)); // nbf - skew - 1 ms
    assertThatThrownBy(() -> validate("short", notYet))
        .isInstanceOfSatisfying(
            TokenNotYetValidException.class,
            e -> assertThat(e.validFrom()).isEqualTo(Instant.ofEpochSecond(t + 60)));
    assertThatThrownBy(() -> validate("short", future))
        .isInstanceOf(TokenNotYetValidException.class);
    node.manualTime().advance(Duration.ofMillis(1)); // nbf - skew: accepted
    assertThat(validate("short", notYet).id()).isEqualTo("nbf-1");
    assertThat(validate("short", future).id()).isEqualTo("iat-1");

    node.manualTime().advance(Duration.ofSeconds(560).minusMillis(1)); // exp + skew - 1 ms
    assertThat(validate("short", notYet).id()).isEqualTo("nbf-1");
    node.manualTime().advance(Duration.ofMillis(1)); // exp + skew
    assertThatThrownBy(() -> validate("short", notYet))
        .isInstanceOfSatisfying(
            TokenExpiredException.class,
            e -> assertThat(e.expiresAt()).isEqualTo(Instant.ofEpochSecond(t + 600)));
  }
}
