package dev.baton.testkit;

import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.memory.InMemorySharedQueueBroker;
import dev.baton.time.SystemTimeSource;
import org.junit.jupiter.api.AfterEach;

/**
 * Three caller apps and three worker apps on the in-memory shared-queue broker and backend meet the
 * multi-app contract (every worker serves every name the test calls).
 */
class InMemorySharedQueueRemoteMultiAppTest extends MultiAppContract {

  private final SystemTimeSource time = new SystemTimeSource();
  private final InMemorySharedQueueBroker broker = new InMemorySharedQueueBroker(time);
  private final InMemoryBackend backend = new InMemoryBackend(time);

  @AfterEach
  void close() {
    broker.close();
    backend.close();
    time.close();
  }

  @Override
  protected TaskApp newCallerApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker, Role.PRODUCER);
    app.use(backend, Role.STORE);
    return app;
  }

  @Override
  protected TaskApp newWorkerApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker, Role.CONSUMER);
    app.use(backend, Role.REPORTER);
    return app;
  }
}
