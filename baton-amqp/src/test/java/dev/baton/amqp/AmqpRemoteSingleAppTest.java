package dev.baton.amqp;

import dev.baton.tasks.TaskApp;
import dev.baton.testkit.SingleAppContract;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A remote app on the RabbitMQ broker and the RabbitMQ backend, as caller and worker. */
class AmqpRemoteSingleAppTest extends SingleAppContract {

  private static final String PREFIX = AmqpBackendTestQueues.uniquePrefix();

  private final SystemTimeSource time = new SystemTimeSource();
  private AmqpBroker broker;
  private AmqpBackend backend;

  @BeforeEach
  void connect() {
    broker =
        AmqpBroker.connect(
            AmqpTests.uri(),
            time,
            AmqpBroker.DEFAULT_LEASE,
            AmqpBroker.DEFAULT_LIVENESS_WINDOW,
            PREFIX);
    backend = AmqpBackend.connect(AmqpTests.uri(), time, AmqpBackendTestQueues.options(PREFIX));
  }

  @AfterEach
  void disconnect() throws Exception {
    try {
      broker.close();
      backend.close();
      time.close();
    } finally {
      AmqpBrokerTests.deleteTaskQueues(broker);
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
