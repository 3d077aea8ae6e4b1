package dev.baton.testkit;

import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.time.SystemTimeSource;
import org.junit.jupiter.api.AfterEach;

/**
 * Caller apps (producer + store) and worker apps (named consumer + reporter) sharing one in-memory
 * broker and backend meet the multi-app contract; as the seed did locally, one caller and three
 * workers.
 */
class InMemoryRemoteMultiAppTest extends MultiAppContract {

  private final SystemTimeSource time = new SystemTimeSource();
  private final InMemoryBroker broker = new InMemoryBroker(time);
  private final InMemoryBackend backend = new InMemoryBackend(time);

  @AfterEach
  void close() {
    broker.close();
    backend.close();
    time.close();
  }

  @Override
  protected int callers() {
    return 1;
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
    app.use(broker, Role.NAMED_CONSUMER);
    app.use(backend, Role.REPORTER);
    return app;
  }
}
