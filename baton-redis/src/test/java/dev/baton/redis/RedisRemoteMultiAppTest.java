package dev.baton.redis;

import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.testkit.MultiAppContract;
import dev.baton.time.SystemTimeSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Caller apps (producer + store) and worker apps (named consumer + reporter), each app with its own
 * Redis broker and backend connections, as separate processes would have.
 */
class RedisRemoteMultiAppTest extends MultiAppContract {

  private final SystemTimeSource time = new SystemTimeSource();
  private final List<AutoCloseable> adapters = new ArrayList<>();

  @AfterEach
  void disconnect() throws Exception {
    try {
      for (AutoCloseable adapter : adapters) {
        adapter.close();
      }
      time.close();
    } finally {
      RedisTests.deleteKeys(namePrefix());
    }
  }

  @Override
  protected TaskApp newCallerApp() {
    RedisBroker broker = RedisBroker.connect(RedisTests.uri(), time);
    RedisBackend backend = RedisBackend.connect(RedisTests.uri(), time);
    adapters.add(broker);
    adapters.add(backend);
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker, Role.PRODUCER);
    app.use(backend, Role.STORE);
    return app;
  }

  @Override
  protected TaskApp newWorkerApp() {
    RedisBroker broker = RedisBroker.connect(RedisTests.uri(), time);
    RedisBackend backend = RedisBackend.connect(RedisTests.uri(), time);
    adapters.add(broker);
    adapters.add(backend);
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker, Role.NAMED_CONSUMER);
    app.use(backend, Role.REPORTER);
    return app;
  }
}
