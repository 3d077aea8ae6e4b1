package dev.baton.amqp;

import dev.baton.tasks.TaskApp;
import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.testkit.SingleAppContract;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A remote app on the in-memory broker and the RabbitMQ backend, as caller and worker. */
class AmqpRemoteSingleAppTest extends SingleAppContract {

  private static final String PREFIX = AmqpBackendTestQueues.uniquePrefix();

  private final SystemTimeSource time = new SystemTimeSource();
  private InMemoryBroker broker;
  private AmqpBackend backend;

  @BeforeEach
  void connect() {
    broker = new InMemoryBroker(time);
    backend =
        AmqpBackend.connect(
            AmqpTests.uri(),
            time,
            AmqpBackend.Options.DEFAULTS
                .withPrefix(PREFIX)
                .withReplyQueueExpiry(Duration.ofMinutes(5))
                .withClaimQueueExpiry(Duration.ofMinutes(5)));
  }

  @AfterEach
  void disconnect() {
    broker.close();
    backend.close();
    time.close();
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    AmqpBackendTestQueues.deleteAll(PREFIX);
  }

  @Override
  protected TaskApp newApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker);
    app.use(backend);
    return app;
  }
}
