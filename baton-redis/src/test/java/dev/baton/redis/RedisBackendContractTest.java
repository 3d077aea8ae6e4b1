package dev.baton.redis;

import dev.baton.tasks.spi.ReportPublisher;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.testkit.BackendContract;
import dev.baton.time.SystemTimeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The Redis backend meets the backend contract against a real server. */
class RedisBackendContractTest extends BackendContract {

  private final SystemTimeSource time = new SystemTimeSource();
  private RedisBackend backend;

  @BeforeEach
  void connect() {
    backend = RedisBackend.connect(RedisTests.uri(), time);
  }

  @AfterEach
  void disconnect() {
    try {
      backend.close();
      time.close();
    } finally {
      RedisTests.deleteKeys(namePrefix());
    }
  }

  @Override
  protected ReportPublisher reporter() {
    return backend;
  }

  @Override
  protected ReportStore store() {
    return backend;
  }
}
