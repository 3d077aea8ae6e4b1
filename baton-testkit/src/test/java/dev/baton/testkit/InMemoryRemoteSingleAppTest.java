package dev.baton.testkit;

import dev.baton.tasks.TaskApp;
import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.time.SystemTimeSource;
import org.junit.jupiter.api.AfterEach;

/**
 * A remote-mode app on one in-memory broker and backend, as both caller and worker, meets the
 * single-app contract: every task and report is encoded and decoded as with a real broker.
 */
class InMemoryRemoteSingleAppTest extends SingleAppContract {

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
  protected TaskApp newApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker);
    app.use(backend);
    return app;
  }
}
