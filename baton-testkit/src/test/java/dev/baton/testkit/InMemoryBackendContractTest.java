package dev.baton.testkit;

import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.spi.ReportPublisher;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.time.ManualTimeSource;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;

/** The in-memory backend meets the backend contract, on a manual clock. */
class InMemoryBackendContractTest extends BackendContract {

  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryBackend backend = new InMemoryBackend(time);

  @AfterEach
  void close() {
    backend.close();
  }

  @Override
  protected ReportPublisher reporter() {
    return backend;
  }

  @Override
  protected ReportStore store() {
    return backend;
  }

  @Override
  protected Instant now() {
    return time.now();
  }
}
