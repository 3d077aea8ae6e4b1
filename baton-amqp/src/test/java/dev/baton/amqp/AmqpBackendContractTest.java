package dev.baton.amqp;

import dev.baton.tasks.spi.ReportPublisher;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.testkit.BackendContract;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The RabbitMQ backend meets the backend contract against a real server. */
class AmqpBackendContractTest extends BackendContract {

  private static final String PREFIX = AmqpBackendTestQueues.uniquePrefix();

  private final SystemTimeSource time = new SystemTimeSource();
  private AmqpBackend backend;

  @BeforeEach
  void connect() {
    backend =
        AmqpBackend.connect(
            AmqpTests.uri(),
            time,
            AmqpBackend.Options.DEFAULTS
                .withPrefix(PREFIX)
                .withReplyQueueExpiry(Duration.ofMinutes(5))
                .withClaimQueueExpiry(Duration.ofMinutes(5)));
  }

  @AfterEach
  void disconnect() {
    backend.close();
    time.close();
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    AmqpBackendTestQueues.deleteAll(PREFIX);
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
