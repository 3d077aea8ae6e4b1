package dev.baton.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.modules.store.InMemoryStore;
import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreEntry;
import dev.baton.modules.store.StoreUnavailableException;
import dev.baton.modules.store.Stores;
import dev.baton.modules.store.spi.StoreBackend;
import dev.baton.redis.RedisStore;
import dev.baton.testing.TestNode;
import dev.baton.time.ManualTimeSource;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Revocations are durable in the revocation store: a token revoked through one node is refused by
 * another node, booted afterwards, on the same store: the real Redis at 127.0.0.1:6379 (a server
 * that cannot be reached fails the test), and a shared in-memory store. And validation fails closed
 * when the revocation store cannot be read.
 */
class DurableRevocationTest {
  private static final URI REDIS = URI.create("redis://127.0.0.1:6379");

  private final String storeName = "sec" + HexFormat.of().formatHex(randomBytes());

  private static byte[] randomBytes() {
    byte[] bytes = new byte[4];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  private TokenStore tokenStore() {
    return TokenStore.builder("api")
        .issuer(SecurityModuleTest.ISSUER)
        .audience(SecurityModuleTest.AUDIENCE)
        .keyPair("r1", TokenAlgorithm.RS256, Keys.RSA)
        .revocationStore(storeName)
        .build();
  }

  /** A node whose revocation store is {@code backend} (closed by the node when it stops). */
  private TestNode node(StoreBackend backend) {
    return TestNode.builder()
        .manualTime()
        .component(Stores.component(backend))
        .component(TokenStores.component(tokenStore()))
        .dispatcher(new SecurityModule())
        .build();
  }

  @AfterEach
  void deleteRedisKeys() {
    RedisClient client = RedisClient.create(RedisURI.create(REDIS));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      ScanCursor cursor = ScanCursor.INITIAL;
      ScanArgs args = ScanArgs.Builder.matches(RedisStore.prefix(storeName) + "*").limit(1000);
      do {
        KeyScanCursor<String> page = redis.scan(cursor, args);
        if (!page.getKeys().isEmpty()) {
          redis.del(page.getKeys().toArray(new String[0]));
        }
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      client.shutdown();
    }
  }

  @Test
  void tokenRevokedThroughOneNode_isRefusedByANewNode_onTheSameRedisStore() throws Exception {
    IssuedToken revoked;
    IssuedToken kept;
    Instant realBefore = Instant.now();
    Duration remaining;
    try (TestNode first = node(RedisStore.connect(REDIS, storeName))) {
      revoked =
          first.callInCoroutine(
              new Security.CreateToken("api", "ada", Set.of("read")).withTtl(Duration.ofHours(1)));
      kept = first.callInCoroutine(new Security.CreateToken("api", "bob", Set.of("read")));
      first.manualTime().advance(Duration.ofMinutes(20));

      assertThat(first.callInCoroutine(Security.RevokeToken.token("api", revoked.token())))
          .isTrue();
      remaining =
          Duration.between(first.time().now(), revoked.expiresAt())
              .plus(TokenStore.DEFAULT_CLOCK_SKEW);
    } // the first node stops; its Redis connection closes

    try (TestNode second = node(RedisStore.connect(REDIS, storeName))) {
      assertThatThrownBy(
              () -> second.callInCoroutine(new Security.ValidateToken("api", revoked.token())))
          .isInstanceOf(TokenRevokedException.class);
      assertThat(second.yieldFromStep(new Security.ValidateToken("api", revoked.token())).error())
          .isInstanceOf(TokenRevokedException.class);
      assertThat(second.callInCoroutine(new Security.ValidateToken("api", kept.token())).subject())
          .isEqualTo("bob");
      // Revoking again through the new node finds the entry.
      assertThat(second.callInCoroutine(Security.RevokeToken.id("api", revoked.id()))).isFalse();
    }

    // The entry expires (by the Redis server's clock) when the token can no longer be accepted.
    try (RedisStore store = RedisStore.connect(REDIS, storeName)) {
      Optional<StoreEntry> entry =
          store
              .entry(TokenStore.REVOCATION_PREFIX + "api:" + revoked.id())
              .toCompletableFuture()
              .get();
      assertThat(entry).isPresent();
      Instant expiresAt = entry.get().expiresAt();
      assertThat(expiresAt).isNotNull();
      assertThat(expiresAt)
          .isAfterOrEqualTo(realBefore.plus(remaining).minusSeconds(5))
          .isBefore(Instant.now().plus(remaining).plusSeconds(5));
    }
  }

  @Test
  void tokenRevokedThroughOneNode_isRefusedByAnotherNode_onASharedInMemoryStore() {
    InMemoryStore shared = new InMemoryStore(storeName, new ManualTimeSource());
    try (TestNode first = node(shared)) {
      IssuedToken issued = first.callInCoroutine(new Security.CreateToken("api", "ada", Set.of()));
      try (TestNode second = node(shared)) {
        assertThat(second.callInCoroutine(new Security.ValidateToken("api", issued.token())).id())
            .isEqualTo(issued.id());

        assertThat(first.callInCoroutine(Security.RevokeToken.id("api", issued.id()))).isTrue();

        assertThatThrownBy(
                () -> second.callInCoroutine(new Security.ValidateToken("api", issued.token())))
            .isInstanceOf(TokenRevokedException.class);
      }
    }
  }

  @Test
  void validationFailsClosed_whenTheRevocationStoreCannotBeRead() {
    RedisStore closed = RedisStore.connect(REDIS, storeName);
    closed.close(); // how a stopped or unreachable backend answers: failed stages
    try (TestNode node = node(closed)) {
      IssuedToken issued = node.callInCoroutine(new Security.CreateToken("api", "ada", Set.of()));

      assertThatThrownBy(
              () -> node.callInCoroutine(new Security.ValidateToken("api", issued.token())))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> node.callInCoroutine(Security.RevokeToken.id("api", issued.id())))
          .isInstanceOf(StoreUnavailableException.class);
    }
  }

  @Test
  void theRevocationStoreIsReadOnlyAfterTheSignatureAndTimes_soForgedOrExpiredTokensNeverReachIt() {
    RedisStore closed = RedisStore.connect(REDIS, storeName);
    closed.close(); // any read of it would fail with StoreUnavailableException
    try (TestNode node = node(closed)) {
      IssuedToken issued = node.callInCoroutine(new Security.CreateToken("api", "ada", Set.of()));
      String[] parts = issued.token().split("\\.", -1);
      String forged =
          Keys.rs256(
              Keys.OTHER_RSA.getPrivate(),
              new String(Keys.unb64(parts[0]), java.nio.charset.StandardCharsets.UTF_8),
              new String(Keys.unb64(parts[1]), java.nio.charset.StandardCharsets.UTF_8));

      assertThatThrownBy(() -> node.callInCoroutine(new Security.ValidateToken("api", forged)))
          .isInstanceOf(InvalidSignatureException.class);
      assertThatThrownBy(() -> node.callInCoroutine(Security.RevokeToken.token("api", forged)))
          .isInstanceOf(InvalidSignatureException.class);

      node.manualTime().advance(TokenStore.DEFAULT_TTL.plus(TokenStore.DEFAULT_CLOCK_SKEW));
      assertThatThrownBy(
              () -> node.callInCoroutine(new Security.ValidateToken("api", issued.token())))
          .isInstanceOf(TokenExpiredException.class);
    }
  }

  @Test
  void revocationKeys_areKeptUnderTheTokenStoresName() {
    assertThat(tokenStore().revocationKey("abc")).isEqualTo("security:revoked:api:abc");
    Store.checkKey(tokenStore().revocationKey("x".repeat(Security.MAX_TOKEN_ID_CHARS)));
  }
}
