package dev.baton.amqp;

import dev.baton.tasks.spi.TaskConsumer;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.testkit.SharedQueueBrokerContract;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link AmqpSharedQueueBroker} meets the shared-queue broker contract against a real server, on a
 * manual clock, under a name prefix of its own (so the shared queue is the suite's alone). The
 * suite moves time only for leases, which run on the manual clock, so {@link #advanceTime} just
 * advances it.
 */
class AmqpBrokerSharedQueueContractTest extends SharedQueueBrokerContract {

  private static final String PREFIX = AmqpBrokerTests.uniquePrefix();

  private final ManualTimeSource time = new ManualTimeSource(Instant.now());
  private AmqpSharedQueueBroker broker;

  @BeforeEach
  void connect() {
    broker =
        AmqpSharedQueueBroker.connect(
            AmqpTests.uri(),
            time,
            Duration.ofSeconds(1),
            AmqpBroker.DEFAULT_LIVENESS_WINDOW,
            PREFIX,
            AmqpSharedQueueBroker.DEFAULT_QUEUE);
  }

  @AfterEach
  void disconnect() {
    broker.close();
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    AmqpBrokerTests.deleteTopology(PREFIX);
    AmqpBrokerTests.deleteQueue(
        new BrokerTopology(PREFIX, false).taskQueue(AmqpSharedQueueBroker.DEFAULT_QUEUE));
  }

  @Override
  protected TaskProducer producer() {
    return broker;
  }

  @Override
  protected TaskConsumer consumer() {
    return broker;
  }

  @Override
  protected Instant now() {
    return time.now();
  }

  @Override
  protected void advanceTime(Duration duration) {
    time.advance(duration);
  }
}
