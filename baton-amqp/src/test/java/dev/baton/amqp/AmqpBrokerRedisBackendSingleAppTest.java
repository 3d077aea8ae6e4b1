package dev.baton.amqp;

import dev.baton.redis.RedisBackend;
import dev.baton.tasks.TaskApp;
import dev.baton.testkit.SingleAppContract;
import dev.baton.time.SystemTimeSource;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A remote app on the RabbitMQ broker and the Redis backend: tasks carry the Redis store's null
 * reply address, and reports are kept under their key. Holds the Redis helpers both such suites use
 * (they need nothing of the RabbitMQ backend's tests).
 */
class AmqpBrokerRedisBackendSingleAppTest extends SingleAppContract {

  private static final String PREFIX = AmqpBrokerTests.uniquePrefix();

  private final SystemTimeSource time = new SystemTimeSource();
  private AmqpBroker broker;
  private RedisBackend backend;

  @BeforeEach
  void connect() {
    broker =
        AmqpBroker.connect(
            AmqpTests.uri(),
            time,
            AmqpBroker.DEFAULT_LEASE,
            AmqpBroker.DEFAULT_LIVENESS_WINDOW,
            PREFIX);
    backend = RedisBackend.connect(redisUri(), time);
  }

  @AfterEach
  void disconnect() throws Exception {
    try {
      broker.close();
      backend.close();
      time.close();
    } finally {
      try {
        AmqpBrokerTests.deleteTaskQueues(broker);
      } finally {
        deleteRedisKeys(namePrefix());
      }
    }
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    AmqpBrokerTests.deleteTopology(PREFIX);
  }

  @Override
  protected Duration awaitBound() {
    return Duration.ofSeconds(20);
  }

  @Override
  protected TaskApp newApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker);
    app.use(backend);
    return app;
  }

  /** The Redis server of the tests that pair the RabbitMQ broker with the Redis backend. */
  static URI redisUri() {
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
      throw new IllegalStateException("the tests use loopback servers only, not " + uri);
    }
    return uri;
  }

  /** Deletes every Redis key whose name contains {@code prefix} (a test's task-name prefix). */
  static void deleteRedisKeys(String prefix) {
    if (prefix.isEmpty()) {
      return;
    }
    RedisClient client = RedisClient.create(RedisURI.create(redisUri()));
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
    } finally {
      client.shutdown();
    }
  }
}
