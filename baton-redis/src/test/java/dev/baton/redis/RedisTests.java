package dev.baton.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * What the Redis tests share: the server's URI ({@code BATON_REDIS_URI}, default {@code
 * redis://127.0.0.1:6379}; loopback only), deleting a test's keys, and waiting on the server's
 * clock. A server that cannot be reached fails the tests (connecting throws), never skips them.
 */
final class RedisTests {
  private RedisTests() {}

  static URI uri() {
    String configured = System.getenv("BATON_REDIS_URI");
    URI uri =
        URI.create(
            configured == null || configured.isBlank() ? "redis://127.0.0.1:6379" : configured);
    String host = uri.getHost();
    if (host == null
        || !(host.equals("127.0.0.1")
            || host.equals("localhost")
            || host.equals("[::1]")
            || host.equals("::1"))) {
      throw new IllegalStateException("the Redis tests use loopback servers only, not " + uri);
    }
    return uri;
  }

  /** A shared queue's name no other test uses: {@code sq}, 8 random hex digits, {@code .tasks}. */
  static String uniqueSharedQueue() {
    return "sq" + UUID.randomUUID().toString().substring(0, 8) + ".tasks";
  }

  /**
   * Deletes every key whose name contains {@code prefix}, the shared sets' members that carry it,
   * and the heartbeats of workers that consumed the test's queues (or whose heartbeat is gone).
   */
  static void deleteKeys(String prefix) {
    if (prefix.isEmpty()) {
      return;
    }
    RedisClient client = RedisClient.create(RedisURI.create(uri()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      ScanCursor cursor = ScanCursor.INITIAL;
      ScanArgs args = ScanArgs.Builder.matches("*" + prefix + "*").limit(1000);
      do {
        KeyScanCursor<String> page = redis.scan(cursor, args);
        if (!page.getKeys().isEmpty()) {
          redis.del(page.getKeys().toArray(new String[0]));
        }
        cursor = page;
      } while (!cursor.isFinished());
      for (String member : redis.smembers("baton:queues")) {
        if (member.startsWith(prefix)) {
          redis.srem("baton:queues", member);
        }
      }
      // a worker's heartbeat names the queues it consumes, which carry the test's prefix
      for (String worker : redis.smembers("baton:workers")) {
        String heartbeat = redis.get("baton:hb:" + worker);
        if (worker.startsWith(prefix) || heartbeat == null || heartbeat.contains(prefix)) {
          redis.del("baton:hb:" + worker);
          redis.srem("baton:workers", worker);
        }
      }
      for (String member : redis.zrange("baton:due", 0, -1)) {
        if (member.startsWith(prefix)) {
          redis.zrem("baton:due", member);
        }
      }
    } finally {
      client.shutdown();
    }
  }

  /**
   * Waits until the server's clock has moved {@code duration} past its reading at the call: the
   * clock that measures pending entries' idle time, which no time source of the test can move. It
   * waits on the server (a {@code BLPOP} of a key nobody writes, with a timeout) and checks the
   * server's {@code TIME}; bounded by {@code bound}.
   */
  static void awaitServerClock(Duration duration, Duration bound) {
    RedisClient client = RedisClient.create(RedisURI.create(uri()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      long target = serverMillis(redis) + duration.toMillis();
      long deadline = System.nanoTime() + bound.toNanos();
      String nobody = "baton:test:never-written:" + UUID.randomUUID();
      while (true) {
        long left = target - serverMillis(redis);
        if (left <= 0) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "the Redis server's clock did not move " + duration + " within " + bound);
        }
        var _ = redis.blpop(Math.max(0.01, left / 1000.0), nobody);
      }
    } finally {
      client.shutdown();
    }
  }

  private static long serverMillis(RedisCommands<String, String> redis) {
    List<String> time = redis.time();
    return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
  }
}
