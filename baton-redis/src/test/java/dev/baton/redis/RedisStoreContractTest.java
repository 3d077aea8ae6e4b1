package dev.baton.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.modules.store.Store.PutOptions;
import dev.baton.modules.store.StorePage;
import dev.baton.modules.store.spi.StoreBackend;
import dev.baton.testkit.StoreContract;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis store meets the store contract against the real server (a server that cannot be reached
 * fails every test). Expiry runs on the server's clock, which the test cannot move: {@link
 * #advanceTime} waits (bounded) until the server's clock has moved that far, and the entries the
 * contract expires live {@value #SHORT_TTL_MILLIS} ms, so those tests take about half a second
 * each. Each test uses a store name of its own and deletes its keys afterwards.
 */
class RedisStoreContractTest extends StoreContract {

  private static final long SHORT_TTL_MILLIS = 400;

  private String name;
  private RedisStore store;

  @BeforeEach
  void connect() {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    name = "ct" + HexFormat.of().formatHex(random);
    store = RedisStore.connect(RedisTests.uri(), name);
  }

  @AfterEach
  void disconnect() {
    try {
      store.close();
    } finally {
      deleteStore(name);
    }
  }

  @Override
  protected StoreBackend store() {
    return store;
  }

  @Override
  protected void advanceTime(Duration duration) {
    RedisTests.awaitServerClock(duration, awaitBound());
  }

  @Override
  protected Duration shortTtl() {
    return Duration.ofMillis(SHORT_TTL_MILLIS);
  }

  // ---- beyond the contract: the Redis layout ----

  @Test
  void expiredKeys_leaveTheIndex_whenAListingPassesThem() throws Exception {
    for (int i = 0; i < 5; i++) {
      var _ = join(store.put("gone/" + i, new byte[] {1}, PutOptions.ttl(shortTtl())));
    }
    var _ = join(store.put("kept", new byte[] {1}, PutOptions.NONE));
    assertThat(indexSize()).isEqualTo(6);
    advanceTime(shortTtl().plusMillis(50));

    StorePage page = join(store.list("", null, 10));

    assertThat(page.keys()).containsExactly("kept");
    assertThat(indexSize()).isEqualTo(1);
  }

  @Test
  void aListing_passesOverAtMostItsBudgetOfExpiredKeys_andGoesOnFromWhereItStopped()
      throws Exception {
    int expired = RedisStore.LIST_STALE_BUDGET + 10;
    for (int i = 0; i < expired; i++) {
      var _ = store.put(String.format("a/%05d", i), new byte[0], PutOptions.ttl(shortTtl()));
    }
    var _ = join(store.put("b/live", new byte[0], PutOptions.NONE));
    advanceTime(shortTtl().plusMillis(50));

    StorePage first = join(store.list("", null, 1));
    StorePage second = join(store.list("", first.nextCursor(), 1));

    assertThat(first.entries()).isEmpty();
    assertThat(first.hasMore()).isTrue();
    assertThat(second.keys()).containsExactly("b/live");
    assertThat(second.hasMore()).isFalse();
  }

  @Test
  void entries_areStoredUnderTheStoresPrefix_asAHashWithValueAndVersion() throws Exception {
    long version = join(store.put("k", "v".getBytes(UTF_8), PutOptions.NONE));

    withRedis(
        redis -> {
          String key = RedisStore.prefix(name) + "e:k";
          assertThat(redis.hget(key, "v")).isEqualTo("v");
          assertThat(redis.hget(key, "n")).isEqualTo(Long.toString(version));
          assertThat(redis.get(RedisStore.prefix(name) + "seq")).isEqualTo(Long.toString(version));
        });
  }

  @Test
  void connecting_toAPortNobodyListensOn_failsNamingTheUri() throws Exception {
    URI nowhere = URI.create("redis://127.0.0.1:" + PrivateRedis.freePort() + "?timeout=2s");

    assertThatThrownBy(() -> RedisStore.connect(nowhere, "x"))
        .isInstanceOf(RedisConnectionException.class)
        .hasMessageContaining("127.0.0.1");
  }

  @Test
  void aClosedStore_failsItsCalls() {
    RedisStore other = RedisStore.connect(RedisTests.uri(), name + "x");
    other.close();

    assertThat(other.entry("k").toCompletableFuture())
        .failsWithin(Duration.ofSeconds(1))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(IllegalStateException.class);
  }

  private long indexSize() {
    long[] size = new long[1];
    withRedis(redis -> size[0] = redis.zcard(RedisStore.prefix(name) + "idx"));
    return size[0];
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void withRedis(java.util.function.Consumer<RedisCommands<String, String>> body) {
    RedisClient client = RedisClient.create(RedisURI.create(RedisTests.uri()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      body.accept(connection.sync());
    } finally {
      client.shutdown();
    }
  }

  /** Deletes every Redis key of store {@code name}. */
  static void deleteStore(String name) {
    withRedis(
        redis -> {
          ScanCursor cursor = ScanCursor.INITIAL;
          // '{' and '}' are literal in SCAN's glob; the name has no glob characters.
          ScanArgs args = ScanArgs.Builder.matches(RedisStore.prefix(name) + "*").limit(1000);
          do {
            KeyScanCursor<String> page = redis.scan(cursor, args);
            List<String> keys = page.getKeys();
            if (!keys.isEmpty()) {
              redis.del(keys.toArray(new String[0]));
            }
            cursor = page;
          } while (!cursor.isFinished());
        });
  }
}
