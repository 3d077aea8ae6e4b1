package dev.baton.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.modules.store.Store;
import dev.baton.modules.store.Store.PutOptions;
import dev.baton.modules.store.StorePage;
import dev.baton.modules.store.StoreUnavailableException;
import dev.baton.modules.store.spi.StoreBackend;
import dev.baton.testkit.StoreContract;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
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
  void expiredKeysNeverListed_leaveTheIndex_asLaterWritesDrainTheExpirySet() throws Exception {
    List<CompletionStage<Long>> writes = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      writes.add(store.put("gone/" + i, new byte[] {1}, PutOptions.ttl(shortTtl())));
      writes.add(store.put("live/" + i, new byte[] {1}, PutOptions.NONE));
    }
    for (CompletionStage<Long> write : writes) {
      var _ = join(write);
    }
    assertThat(indexSize()).isEqualTo(1000);
    advanceTime(shortTtl().plusMillis(50));

    // 500 due members, at most EXPIRY_DRAIN per write: 5 writes settle them, and a delete drains
    // too
    for (int i = 0; i < 4; i++) {
      var _ = join(store.put("live/0", new byte[] {2}, PutOptions.NONE));
    }
    var _ = join(store.delete("absent"));

    assertThat(indexSize()).isEqualTo(500);
    assertThat(expirySetSize()).isZero();
  }

  @Test
  void aRewriteOfADueKey_keepsItInTheIndex_whenAnotherWriteDrainsIt() throws Exception {
    var _ = join(store.put("k", new byte[] {1}, PutOptions.ttl(shortTtl())));
    var _ = join(store.put("j", new byte[] {1}, PutOptions.ttl(Duration.ofHours(1))));
    var _ = join(store.put("k", new byte[] {2}, PutOptions.ttl(Duration.ofHours(1))));
    advanceTime(shortTtl().plusMillis(50));

    var _ = join(store.put("other", new byte[0], PutOptions.NONE));

    assertThat(join(store.list("", null, 10)).keys()).containsExactly("j", "k", "other");
    assertThat(indexSize()).isEqualTo(3);
    assertThat(expirySetSize()).isEqualTo(2);
  }

  @Test
  void aPutScriptThatFails_writesNothing_onAnExistingOrAFreshKey() throws Exception {
    long old = join(store.put("k", "old".getBytes(UTF_8), PutOptions.ttl(Duration.ofHours(1))));
    String prefix = RedisStore.prefix(name);
    long[] pttlBefore = new long[1];
    withRedis(redis -> pttlBefore[0] = redis.pttl(prefix + "e:k"));

    // A ttl the options refuse (2e17 ms) reaches the script only if a caller bypasses them; the
    // script must refuse it before its first write, as Redis keeps writes made before an error.
    for (String key : List.of("k", "fresh")) {
      assertThatThrownBy(() -> runPut(key, "new", "200000000000000000"))
          .hasMessageContaining("ttl");
      assertThatThrownBy(() -> runPut(key, "new", "1.5")).hasMessageContaining("ttl");
    }

    withRedis(
        redis -> {
          assertThat(redis.hget(prefix + "e:k", "v")).isEqualTo("old");
          assertThat(redis.hget(prefix + "e:k", "n")).isEqualTo(Long.toString(old));
          assertThat(redis.pttl(prefix + "e:k")).isBetween(pttlBefore[0] - 5000, pttlBefore[0]);
          assertThat(redis.get(prefix + "seq")).isEqualTo(Long.toString(old));
          assertThat(redis.exists(prefix + "e:fresh")).isZero();
          assertThat(redis.zrange(prefix + "idx", 0, -1)).containsExactly("k");
          assertThat(redis.zrange(prefix + "exp", 0, -1)).containsExactly("k");
        });
  }

  @Test
  void aPutScript_refusesACorruptedCounter_beforeWriting() throws Exception {
    String prefix = RedisStore.prefix(name);
    withRedis(redis -> redis.set(prefix + "seq", "not a number"));

    assertThat(store.put("k", new byte[] {1}, PutOptions.NONE).toCompletableFuture())
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(StoreUnavailableException.class)
        .withMessageContaining("'" + name + "'")
        .withMessageContaining("put of key 'k'")
        .withMessageContaining("version counter");
    withRedis(
        redis -> {
          assertThat(redis.exists(prefix + "e:k")).isZero();
          assertThat(redis.zcard(prefix + "idx")).isZero();
        });
  }

  @Test
  void subMillisecondTtls_roundUp_soAnEntryNeverExpiresEarly() {
    assertThat(RedisStore.ttlMillis(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(RedisStore.ttlMillis(Duration.ofNanos(1_900_000))).isEqualTo(2);
    assertThat(RedisStore.ttlMillis(Duration.ofSeconds(1).plusNanos(1))).isEqualTo(1001);
    assertThat(RedisStore.ttlMillis(Store.MAX_TTL)).isEqualTo(Store.MAX_TTL.toMillis());
  }

  @Test
  void aStoreWhoseServerStopped_failsWithStoreUnavailable_namingStoreKeyAndOperation()
      throws Exception {
    int port = PrivateRedis.freePort();
    Path dir = Files.createTempDirectory("store-unavailable");
    PrivateRedis server =
        new PrivateRedis(dir, List.of("--port", Integer.toString(port), "--save", ""));
    server.start(() -> PrivateRedis.answersPing(port));
    RedisStore remote =
        RedisStore.connect(URI.create("redis://127.0.0.1:" + port + "?timeout=1s"), "gone");
    try {
      assertThat(join(remote.put("k", new byte[] {1}, PutOptions.NONE))).isPositive();
      server.stop();

      assertThat(remote.put("k", new byte[] {2}, PutOptions.NONE).toCompletableFuture())
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(
              StoreUnavailableException.class,
              e -> {
                assertThat(e.store()).isEqualTo("gone");
                assertThat(e.operation()).isEqualTo("put");
                assertThat(e.key()).isEqualTo("k");
                assertThat(e.getCause()).isInstanceOf(RedisException.class);
                assertThat(e.getMessage()).contains("store 'gone': put of key 'k' failed");
              });
    } finally {
      remote.close();
      server.stop();
    }
  }

  private void runPut(String key, String value, String ttl) throws Exception {
    String prefix = RedisStore.prefix(name);
    CompletableFuture<List<Object>> reply =
        withBinaryRedis(
            redis ->
                StoreScripts.PUT.<List<Object>>run(
                    redis,
                    ScriptOutputType.MULTI,
                    new byte[][] {
                      (prefix + "e:" + key).getBytes(UTF_8),
                      (prefix + "seq").getBytes(UTF_8),
                      (prefix + "idx").getBytes(UTF_8),
                      (prefix + "exp").getBytes(UTF_8)
                    },
                    value.getBytes(UTF_8),
                    "-1".getBytes(UTF_8),
                    ttl.getBytes(UTF_8),
                    key.getBytes(UTF_8),
                    (prefix + "e:").getBytes(UTF_8),
                    "100".getBytes(UTF_8)));
    try {
      var _ = reply.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(String.valueOf(cause.getMessage()), cause);
    }
  }

  private static <T> CompletableFuture<T> withBinaryRedis(
      java.util.function.Function<RedisAsyncCommands<byte[], byte[]>, CompletableFuture<T>> body)
      throws Exception {
    RedisClient client = RedisClient.create(RedisURI.create(RedisTests.uri()));
    try (StatefulRedisConnection<byte[], byte[]> connection =
        client.connect(ByteArrayCodec.INSTANCE)) {
      CompletableFuture<T> reply = body.apply(connection.async());
      try {
        var _ = reply.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // returned failed below
      }
      return reply;
    } finally {
      client.shutdown();
    }
  }

  private long expirySetSize() {
    long[] size = new long[1];
    withRedis(redis -> size[0] = redis.zcard(RedisStore.prefix(name) + "exp"));
    return size[0];
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
