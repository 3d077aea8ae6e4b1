package dev.baton.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
      case AMQP -> rabbitMq(runId);
      case AMQP_REDIS -> {
        try {
          rabbitMq(runId);
        } finally {
          redis(runId);
        }
      }
    }
  }

  /**
   * Deletes the queues and exchanges named under the run id. AMQP cannot list them and the
   * management plugin is not assumed, so the names come from {@code rabbitmqctl} on this machine
   * (the benchmark runs against a local server); the deletes go through AMQP.
   */
  static void rabbitMq(String runId) {
    List<String> queues = rabbitmqctl("list_queues", runId);
    List<String> exchanges = rabbitmqctl("list_exchanges", runId);
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(RemoteTransport.amqpUri());
      try (Connection connection = factory.newConnection("baton-bench-cleanup")) {
        for (String queue : queues) {
          try (Channel channel = connection.createChannel()) {
            var _ = channel.queueDelete(queue);
          }
        }
        for (String exchange : exchanges) {
          try (Channel channel = connection.createChannel()) {
            var _ = channel.exchangeDelete(exchange);
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(
          "could not delete the run's RabbitMQ queues " + queues + " and exchanges " + exchanges,
          e);
    }
  }

  /** The names {@code rabbitmqctl <command> name} lists that start with {@code <runId>.}. */
  private static List<String> rabbitmqctl(String command, String runId) {
    try {
      Process p =
          new ProcessBuilder("rabbitmqctl", command, "-q", "--no-table-headers", "name")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.getOutputStream().close();
      List<String> names;
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
        names = reader.lines().map(String::strip).filter(n -> n.startsWith(runId + ".")).toList();
      }
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("rabbitmqctl " + command + " did not finish in 60 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("rabbitmqctl " + command + " exited with " + p.exitValue());
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run rabbitmqctl " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
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
