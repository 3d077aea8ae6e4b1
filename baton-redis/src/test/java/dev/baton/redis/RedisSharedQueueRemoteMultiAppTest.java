package dev.baton.redis;

import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.testkit.MultiAppContract;
import dev.baton.time.SystemTimeSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Caller apps (producer + store) and worker apps (shared-queue consumer + reporter), each app with
 * its own Redis shared-queue broker and backend connections, as separate processes would have; all
 * on one shared queue of the test's own.
 */
class RedisSharedQueueRemoteMultiAppTest extends MultiAppContract {

  private final SystemTimeSource time = new SystemTimeSource();
  private final String queue = RedisTests.uniqueSharedQueue();
  private final List<AutoCloseable> adapters = new ArrayList<>();

  @AfterEach
  void disconnect() throws Exception {
    try {
      for (AutoCloseable adapter : adapters) {
        adapter.close();
      }
      time.close();
    } finally {
      RedisTests.deleteKeys(queue);
      RedisTests.deleteKeys(namePrefix());
    }
  }

  private RedisSharedQueueBroker broker() {
    RedisSharedQueueBroker broker =
        RedisSharedQueueBroker.connect(
            RedisTests.uri(),
            time,
            queue,
            RedisBroker.DEFAULT_LEASE,
            RedisBroker.DEFAULT_LIVENESS_WINDOW);
    adapters.add(broker);
    return broker;
  }

  private RedisBackend backend() {
    RedisBackend backend = RedisBackend.connect(RedisTests.uri(), time);
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
    app.use(broker(), Role.CONSUMER);
    app.use(backend(), Role.REPORTER);
    return app;
  }
}
