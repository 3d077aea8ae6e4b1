package dev.baton.redis;

import dev.baton.tasks.TaskApp;
import dev.baton.testkit.SingleAppContract;
import dev.baton.time.SystemTimeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A remote app on the Redis shared-queue broker (the seed's layout: one queue, routed by name in
 * the worker) and the Redis backend, as caller and worker; each test has a shared queue of its own.
 */
class RedisSharedQueueRemoteSingleAppTest extends SingleAppContract {

  private final SystemTimeSource time = new SystemTimeSource();
  private final String queue = RedisTests.uniqueSharedQueue();
  private RedisSharedQueueBroker broker;
  private RedisBackend backend;

  @BeforeEach
  void connect() {
    broker =
        RedisSharedQueueBroker.connect(
            RedisTests.uri(),
            time,
            queue,
            RedisBroker.DEFAULT_LEASE,
            RedisBroker.DEFAULT_LIVENESS_WINDOW);
    backend = RedisBackend.connect(RedisTests.uri(), time);
  }

  @AfterEach
  void disconnect() {
    try {
      broker.close();
      backend.close();
      time.close();
    } finally {
      RedisTests.deleteKeys(queue);
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
