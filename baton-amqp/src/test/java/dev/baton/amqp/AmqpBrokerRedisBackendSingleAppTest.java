package dev.baton.amqp;

import dev.baton.redis.RedisBackend;
import dev.baton.tasks.TaskApp;
import dev.baton.testkit.SingleAppContract;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A remote app on the RabbitMQ broker and the Redis backend: tasks carry the Redis store's null
 * reply address, and reports are kept under their key.
 */
class AmqpBrokerRedisBackendSingleAppTest extends SingleAppContract {

  private static final String PREFIX = AmqpBackendTestQueues.uniquePrefix();

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
    backend = RedisBackend.connect(AmqpBackendTestQueues.redisUri(), time);
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
        AmqpBackendTestQueues.deleteRedisKeys(namePrefix());
      }
    }
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    AmqpBrokerTests.deleteTopology(PREFIX);
    AmqpBackendTestQueues.deleteAll(PREFIX);
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
}
