package dev.baton.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreEntry;
import dev.baton.modules.store.StorePage;
import dev.baton.modules.store.StoreUnavailableException;
import dev.baton.modules.store.VersionConflictException;
import dev.baton.modules.store.spi.KeyOrder;
import dev.baton.modules.store.spi.StoreBackend;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A store of the store module kept in Redis: one {@link StoreBackend} per store name, on Lettuce's
 * asynchronous API.
 *
 * <p><b>Layout</b> (see {@link StoreScripts}): under {@code baton:store:{<name>}:}, a hash per
 * entry ({@code e:<key>}: value and version) with {@code PEXPIRE} for its expiry, one version
 * counter ({@code seq}, {@code INCR}: never reused, so a key deleted and written again never gets
 * an old version back), and a sorted set of keys ({@code idx}, score 0) that {@code ZRANGE ...
 * BYLEX} walks in byte order, which is the UTF-8 byte order every store lists in, and a sorted set
 * of keys with a TTL scored by expiry ({@code exp}). An expired entry's key leaves the index when a
 * later write drains it from {@code exp} ({@value #EXPIRY_DRAIN} due keys per write at most) or a
 * listing passes it, so the index stays near the live key count. Redis 6.2 or later.
 *
 * <p><b>Atomicity and time.</b> Conditional writes, reads of an entry with its expiry, deletes and
 * listings are Lua scripts, so each is atomic; expiry is measured by the Redis server's clock
 * (entries' {@code expiresAt} is the server's time plus the remaining time to live), not the node's
 * {@code TimeSource}. A TTL is rounded up to whole milliseconds, so an entry never expires early.
 * Scripts read and check everything before their first write, so a failing script writes nothing
 * (Redis does not roll back).
 *
 * <p><b>Threads.</b> Thread-safe; no method blocks: each returns a stage that completes on
 * Lettuce's I/O thread. Stages fail with {@link StoreUnavailableException} (naming the store, the
 * operation and the key, Lettuce's exception as the cause) when Redis does not answer (after the
 * URI's timeout, 10 seconds by default), the connection is lost, the server refuses a command, or
 * the store is closed. Stores made together by {@link #connect(URI, List)} share one connection,
 * closed with the last of them.
 */
public final class RedisStore implements StoreBackend {
  /** At most this many expired index members are passed over by one listing call. */
  static final int LIST_STALE_BUDGET = 1000;

  /** At most this many due members of the expiry set are settled by one write. */
  static final int EXPIRY_DRAIN = 100;

  private final String name;
  private final Shared shared;
  private final RedisAsyncCommands<byte[], byte[]> redis;
  private final byte[] counterKey;
  private final byte[] indexKey;
  private final byte[] expiryKey;
  private final byte[] entryPrefix;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisStore(String name, Shared shared) {
    this.name = name;
    this.shared = shared;
    this.redis = shared.connection.async();
    String prefix = prefix(name);
    this.counterKey = (prefix + "seq").getBytes(UTF_8);
    this.indexKey = (prefix + "idx").getBytes(UTF_8);
    this.expiryKey = (prefix + "exp").getBytes(UTF_8);
    this.entryPrefix = (prefix + "e:").getBytes(UTF_8);
  }

  /**
   * The prefix of every Redis key of store {@code name}: {@code baton:store:{<name>}:}. The hash
   * tag keeps a store's keys in one Redis Cluster slot, as its scripts need.
   */
  public static String prefix(String name) {
    return "baton:store:{" + Store.checkStoreName(name) + "}:";
  }

  /**
   * Connects to {@code uri} (see {@link RedisBackend#connect} for its form) and returns the store
   * {@code name} on its own connection.
   *
   * @throws IllegalArgumentException if the URI or the name is malformed
   * @throws io.lettuce.core.RedisConnectionException if connecting fails, naming the URI
   */
  public static RedisStore connect(URI uri, String name) {
    return connect(uri, List.of(name)).getFirst();
  }

  /**
   * Connects to {@code uri} once and returns the stores {@code names}, which share the connection;
   * it closes when the last of them is closed.
   *
   * @throws IllegalArgumentException if the URI or a name is malformed, or a name repeats
   * @throws io.lettuce.core.RedisConnectionException if connecting fails, naming the URI
   */
  public static List<RedisStore> connect(URI uri, List<String> names) {
    requireNonNull(uri, "uri");
    if (names.isEmpty() || names.stream().distinct().count() != names.size()) {
      throw new IllegalArgumentException("store names must be given, each once: " + names);
    }
    names.forEach(Store::checkStoreName);
    RedisClient client = RedisConnections.client(uri);
    StatefulRedisConnection<byte[], byte[]> connection;
    try {
      connection = client.connect(ByteArrayCodec.INSTANCE);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw new RedisConnectionException(
          "cannot connect to " + RedisConnections.redact(uri) + ": " + e.getMessage(), e);
    }
    Shared shared = new Shared(client, connection, names.size());
    List<RedisStore> stores = new ArrayList<>();
    for (String name : names) {
      stores.add(new RedisStore(name, shared));
    }
    return List.copyOf(stores);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletionStage<Optional<StoreEntry>> entry(String key) {
    CompletableFuture<List<Object>> reply =
        call(
            "entry",
            key,
            () ->
                StoreScripts.ENTRY.run(
                    redis, ScriptOutputType.MULTI, new byte[][] {entryKey(key)}));
    return reply.thenApply(
        fields -> {
          if (fields.isEmpty()) {
            return Optional.empty();
          }
          Instant serverNow = serverTime(fields.get(3), fields.get(4));
          return Optional.of(
              new StoreEntry(
                  key,
                  (byte[]) fields.get(0),
                  parseLong(fields.get(1)),
                  expiresAt(serverNow, (Long) fields.get(2))));
        });
  }

  @Override
  public CompletionStage<Boolean> has(String key) {
    return call("has", key, () -> redis.exists(entryKey(key)).toCompletableFuture())
        .thenApply(n -> n == 1);
  }

  @Override
  public CompletionStage<Long> put(String key, byte[] value, Store.PutOptions options) {
    long required = options.requiredVersion();
    Duration ttl = options.ttl();
    CompletableFuture<List<Object>> reply =
        call(
            "put",
            key,
            () ->
                StoreScripts.PUT.run(
                    redis,
                    ScriptOutputType.MULTI,
                    new byte[][] {entryKey(key), counterKey, indexKey, expiryKey},
                    value,
                    ascii(required),
                    ascii(ttl == null ? 0 : ttlMillis(ttl)),
                    key.getBytes(UTF_8),
                    entryPrefix,
                    ascii(EXPIRY_DRAIN)));
    return reply.thenCompose(
        result -> {
          long version = (Long) result.get(1);
          if ((Long) result.get(0) == 1) {
            return CompletableFuture.completedFuture(version);
          }
          return CompletableFuture.failedFuture(
              new VersionConflictException(name, key, required, version));
        });
  }

  @Override
  public CompletionStage<Boolean> delete(String key) {
    CompletableFuture<Long> reply =
        call(
            "delete",
            key,
            () ->
                StoreScripts.DELETE.run(
                    redis,
                    ScriptOutputType.INTEGER,
                    new byte[][] {entryKey(key), indexKey, expiryKey},
                    key.getBytes(UTF_8),
                    entryPrefix,
                    ascii(EXPIRY_DRAIN)));
    return reply.thenApply(n -> n == 1);
  }

  @Override
  public CompletionStage<StorePage> list(String prefix, @Nullable String cursor, int limit) {
    byte[] min;
    if (cursor != null && KeyOrder.compare(cursor, prefix) >= 0) {
      min = bound('(', cursor.getBytes(UTF_8), false);
    } else if (prefix.isEmpty()) {
      min = new byte[] {'-'};
    } else {
      min = bound('[', prefix.getBytes(UTF_8), false);
    }
    // No UTF-8 text holds the byte 0xFF, so every key with the prefix sorts below prefix + 0xFF.
    byte[] max = prefix.isEmpty() ? new byte[] {'+'} : bound('(', prefix.getBytes(UTF_8), true);
    CompletableFuture<List<Object>> reply =
        call(
            "list",
            prefix,
            () ->
                StoreScripts.LIST.run(
                    redis,
                    ScriptOutputType.MULTI,
                    new byte[][] {indexKey, expiryKey},
                    min,
                    max,
                    ascii(limit),
                    entryPrefix,
                    ascii(limit + 1L + LIST_STALE_BUDGET),
                    ascii(Store.LIST_PAGE_BYTES)));
    return reply.thenApply(
        fields -> {
          boolean more = (Long) fields.get(0) == 1;
          String next = more ? new String((byte[]) fields.get(1), UTF_8) : null;
          Instant serverNow = serverTime(fields.get(2), fields.get(3));
          List<StoreEntry> entries = new ArrayList<>((fields.size() - 4) / 4);
          for (int i = 4; i + 3 < fields.size(); i += 4) {
            entries.add(
                new StoreEntry(
                    new String((byte[]) fields.get(i), UTF_8),
                    (byte[]) fields.get(i + 1),
                    parseLong(fields.get(i + 2)),
                    expiresAt(serverNow, (Long) fields.get(i + 3))));
          }
          return new StorePage(entries, next, more);
        });
  }

  /** Closes this store; the shared connection closes with the last store made with it. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      shared.release();
    }
  }

  private byte[] entryKey(String key) {
    byte[] k = key.getBytes(UTF_8);
    byte[] full = new byte[entryPrefix.length + k.length];
    System.arraycopy(entryPrefix, 0, full, 0, entryPrefix.length);
    System.arraycopy(k, 0, full, entryPrefix.length, k.length);
    return full;
  }

  private static byte[] bound(char kind, byte[] text, boolean highest) {
    byte[] out = new byte[1 + text.length + (highest ? 1 : 0)];
    out[0] = (byte) kind;
    System.arraycopy(text, 0, out, 1, text.length);
    if (highest) {
      out[out.length - 1] = (byte) 0xFF;
    }
    return out;
  }

  private static byte[] ascii(long n) {
    return Long.toString(n).getBytes(US_ASCII);
  }

  private static long parseLong(Object bulk) {
    return Long.parseLong(new String((byte[]) bulk, US_ASCII));
  }

  private static Instant serverTime(Object seconds, Object micros) {
    return Instant.ofEpochSecond(parseLong(seconds), parseLong(micros) * 1000);
  }

  private static @Nullable Instant expiresAt(Instant serverNow, long pttl) {
    return pttl < 0 ? null : serverNow.plusMillis(pttl);
  }

  /**
   * A TTL in whole milliseconds, rounded up (PEXPIRE counts whole ms; truncating would expire an
   * entry early). The options cap a TTL at {@link Store#MAX_TTL}, so this cannot overflow.
   */
  static long ttlMillis(Duration ttl) {
    long millis = ttl.toMillis();
    return ttl.equals(Duration.ofMillis(millis)) ? millis : millis + 1;
  }

  /**
   * Starts {@code command} unless the store is closed, and turns whatever it fails with (Lettuce's
   * timeouts, connection and server errors, a closed connection) into a {@link
   * StoreUnavailableException} naming this store, {@code operation} and {@code key}, with the
   * original as cause.
   */
  private <T> CompletableFuture<T> call(
      String operation, String key, Supplier<CompletableFuture<T>> command) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(
          new StoreUnavailableException(
              name, operation, key, "the Redis store is closed (the node stopped)", null));
    }
    CompletableFuture<T> started;
    try {
      started = command.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    return started.exceptionallyCompose(
        e -> {
          Throwable cause =
              e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (cause instanceof CancellationException) {
            return CompletableFuture.failedFuture(cause);
          }
          return CompletableFuture.failedFuture(
              new StoreUnavailableException(name, operation, key, reason(cause), cause));
        });
  }

  private static String reason(Throwable cause) {
    String message = String.valueOf(cause.getMessage());
    if (cause instanceof RedisCommandTimeoutException) {
      return "Redis did not answer in time (" + message + "; the URI's timeout sets the limit)";
    }
    if (cause instanceof RedisConnectionException) {
      return "the connection to Redis failed (" + message + ")";
    }
    if (cause instanceof RedisCommandExecutionException) {
      // Script errors carry the script's SHA ("Error running script (call to f_<sha>)"): keep the
      // server's words, which say what failed.
      return "Redis refused the command (" + message + ")";
    }
    return "Redis failed (" + cause.getClass().getSimpleName() + ": " + message + ")";
  }

  @Override
  public String toString() {
    return "RedisStore[" + name + "]";
  }

  /** A connection the stores made together share, closed when the last of them closes. */
  private static final class Shared {
    final RedisClient client;
    final StatefulRedisConnection<byte[], byte[]> connection;
    final AtomicInteger open;

    Shared(RedisClient client, StatefulRedisConnection<byte[], byte[]> connection, int stores) {
      this.client = client;
      this.connection = connection;
      this.open = new AtomicInteger(stores);
    }

    void release() {
      if (open.decrementAndGet() == 0) {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }
}
