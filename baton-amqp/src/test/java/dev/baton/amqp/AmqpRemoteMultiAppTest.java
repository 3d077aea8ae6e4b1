package dev.baton.amqp;

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
 * RabbitMQ broker and backend connections (so each caller its own reply queue), as separate
 * processes would have.
 */
class AmqpRemoteMultiAppTest extends MultiAppContract {

  private static final String PREFIX = AmqpBackendTestQueues.uniquePrefix();

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
      for (AmqpBroker broker : brokers) {
        AmqpBrokerTests.deleteTaskQueues(broker);
      }
    }
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    AmqpBrokerTests.deleteTopology(PREFIX);
    AmqpBackendTestQueues.deleteAll(PREFIX);
  }

  private AmqpBroker broker() {
    AmqpBroker broker =
        AmqpBroker.connect(
            AmqpTests.uri(),
            time,
            AmqpBroker.DEFAULT_LEASE,
            AmqpBroker.DEFAULT_LIVENESS_WINDOW,
            PREFIX);
    adapters.add(broker);
    brokers.add(broker);
    return broker;
  }

  private AmqpBackend backend() {
    AmqpBackend backend =
        AmqpBackend.connect(AmqpTests.uri(), time, AmqpBackendTestQueues.options(PREFIX));
    adapters.add(backend);
    return backend;
  }

  @Override
  protected TaskApp newCallerApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker(), Role.PRODUCER);
    app.use(backend(), Role.STORE);
    return app;
  }

  @Override
  protected TaskApp newWorkerApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker(), Role.NAMED_CONSUMER);
    app.use(backend(), Role.REPORTER);
    return app;
  }
}
