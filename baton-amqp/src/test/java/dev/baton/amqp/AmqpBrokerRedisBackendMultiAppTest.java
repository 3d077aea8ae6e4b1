package dev.baton.amqp;

import dev.baton.redis.RedisBackend;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.testkit.MultiAppContract;
import dev.baton.time.SystemTimeSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/**
 * Caller apps (producer + store) and worker apps (named consumer + reporter), each app with its own
 * RabbitMQ broker and Redis backend connections, as separate processes would have.
 */
class AmqpBrokerRedisBackendMultiAppTest extends MultiAppContract {

  private static final String PREFIX = AmqpBrokerTests.uniquePrefix();

  private final SystemTimeSource time = new SystemTimeSource();
  private final List<AutoCloseable> adapters = new ArrayList<>();
  private final List<AmqpBroker> brokers = new ArrayList<>();

  @AfterEach
  void disconnect() throws Exception {
    try {
      for (AutoCloseable adapter : adapters) {
        adapter.close();
      }
      time.close();
    } finally {
      try {
        for (AmqpBroker broker : brokers) {
          AmqpBrokerTests.deleteTaskQueues(broker);
        }
      } finally {
        AmqpBrokerRedisBackendSingleAppTest.deleteRedisKeys(namePrefix());
      }
    }
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    AmqpBrokerTests.deleteTopology(PREFIX);
  }

  private TaskApp app(Role brokerRole, Role backendRole) {
    AmqpBroker broker =
        AmqpBroker.connect(
            AmqpTests.uri(),
            time,
            AmqpBroker.DEFAULT_LEASE,
            AmqpBroker.DEFAULT_LIVENESS_WINDOW,
            PREFIX);
    adapters.add(broker);
    brokers.add(broker);
    RedisBackend backend =
        RedisBackend.connect(AmqpBrokerRedisBackendSingleAppTest.redisUri(), time);
    adapters.add(backend);
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker, brokerRole);
    app.use(backend, backendRole);
    return app;
  }

  @Override
  protected TaskApp newCallerApp() {
    return app(Role.PRODUCER, Role.STORE);
  }

  @Override
  protected TaskApp newWorkerApp() {
    return app(Role.NAMED_CONSUMER, Role.REPORTER);
  }
}
