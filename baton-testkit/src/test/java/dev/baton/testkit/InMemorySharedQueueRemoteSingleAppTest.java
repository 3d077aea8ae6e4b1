package dev.baton.testkit;

import dev.baton.tasks.TaskApp;
import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.memory.InMemorySharedQueueBroker;
import dev.baton.time.SystemTimeSource;
import org.junit.jupiter.api.AfterEach;

/**
 * A remote-mode app on the in-memory shared-queue broker (the seed's layout: one queue, routed by
 * name in the worker) and the in-memory backend meets the single-app contract.
 */
class InMemorySharedQueueRemoteSingleAppTest extends SingleAppContract {

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
  protected TaskApp newApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker);
    app.use(backend);
    return app;
  }
}
