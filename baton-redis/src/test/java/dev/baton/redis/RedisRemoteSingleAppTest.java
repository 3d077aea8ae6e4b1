package dev.baton.redis;

import dev.baton.tasks.TaskApp;
import dev.baton.testkit.SingleAppContract;
import dev.baton.time.SystemTimeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A remote app on the Redis broker and the Redis backend, as caller and worker. */
class RedisRemoteSingleAppTest extends SingleAppContract {

  private final SystemTimeSource time = new SystemTimeSource();
  private RedisBroker broker;
  private RedisBackend backend;

  @BeforeEach
  void connect() {
    broker = RedisBroker.connect(RedisTests.uri(), time);
    backend = RedisBackend.connect(RedisTests.uri(), time);
  }

  @AfterEach
  void disconnect() {
    try {
      broker.close();
      backend.close();
      time.close();
    } finally {
      RedisTests.deleteKeys(namePrefix());
    }
  }

  @Override
  protected TaskApp newApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker);
    app.use(backend);
    return app;
  }
}
