package dev.baton.amqp;

import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.testkit.MultiAppContract;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/**
 * Caller apps (producer + store) and worker apps (named consumer + reporter), each app with its own
 * RabbitMQ backend connection (so each caller its own reply queue), as separate processes would
 * have, on one in-memory broker.
 */
class AmqpRemoteMultiAppTest extends MultiAppContract {

  private static final String PREFIX = AmqpBackendTestQueues.uniquePrefix();

  private final SystemTimeSource time = new SystemTimeSource();
  private final InMemoryBroker broker = new InMemoryBroker(time);
  private final List<AutoCloseable> adapters = new ArrayList<>();

  @AfterEach
  void disconnect() throws Exception {
    for (AutoCloseable adapter : adapters) {
      adapter.close();
    }
    broker.close();
    time.close();
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    AmqpBackendTestQueues.deleteAll(PREFIX);
  }

  private AmqpBackend backend() {
    AmqpBackend backend =
        AmqpBackend.connect(
            AmqpTests.uri(),
            time,
            AmqpBackend.Options.DEFAULTS
                .withPrefix(PREFIX)
                .withReplyQueueExpiry(Duration.ofMinutes(5))
                .withClaimQueueExpiry(Duration.ofMinutes(5)));
    adapters.add(backend);
    return backend;
  }

  @Override
  protected TaskApp newCallerApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker, Role.PRODUCER);
    app.use(backend(), Role.STORE);
    return app;
  }

  @Override
  protected TaskApp newWorkerApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker, Role.NAMED_CONSUMER);
    app.use(backend(), Role.REPORTER);
    return app;
  }
}
