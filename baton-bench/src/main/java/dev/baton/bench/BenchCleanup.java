package dev.baton.bench;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Deletes what one run of the remote-task benchmark left in the servers: everything named with the
 * run's unique prefix (its task name is {@code <prefix>add}, so its queue, report lists, heartbeats
 * and index entries all carry it).
 */
final class BenchCleanup {
  private BenchCleanup() {}

  static void forTransport(RemoteTransport transport, String runId) {
    switch (transport) {
      case REDIS -> redis(runId);
    }
  }

  /** Deletes the keys holding {@code prefix} and the prefix's members of Baton's index keys. */
  static void redis(String prefix) {
    RedisClient client = RedisClient.create(RedisURI.create(RemoteTransport.redisUri()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      ScanCursor cursor = ScanCursor.INITIAL;
      ScanArgs args = ScanArgs.Builder.matches("*" + prefix + "*").limit(1000);
      do {
        KeyScanCursor<String> page = redis.scan(cursor, args);
        if (!page.getKeys().isEmpty()) {
          Long _ = redis.del(page.getKeys().toArray(new String[0]));
        }
        cursor = page;
      } while (!cursor.isFinished());
      for (String member : redis.smembers("baton:queues")) {
        if (member.startsWith(prefix)) {
          Long _ = redis.srem("baton:queues", member);
        }
      }
      for (String worker : redis.smembers("baton:workers")) {
        if (worker.startsWith(prefix)) {
          Long _ = redis.del("baton:hb:" + worker);
          Long _ = redis.srem("baton:workers", worker);
        }
      }
      for (String member : redis.zrange("baton:due", 0, -1)) {
        if (member.startsWith(prefix)) {
          Long _ = redis.zrem("baton:due", member);
        }
      }
    } finally {
      client.shutdown();
    }
  }
}
