package dev.baton.amqp;

import dev.baton.tasks.spi.NamedTaskConsumer;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.testkit.BrokerContract;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The RabbitMQ broker meets the broker contract against a real server, on a manual clock that
 * starts at the real time (so etas are near the server's), under a name prefix of its own.
 *
 * <p>Leases run on the manual clock, but delays run on the server's TTL timers, which the test
 * cannot move. So {@link #advanceTime} first sends a probe through the delay queues with an eta as
 * far ahead as the clock moves, then advances the manual clock, and waits (bounded) until the probe
 * comes out: whatever was delayed before has then come out too. The one-minute delay of the
 * contract's delay test therefore takes a minute. Priority queues are on, as the contract's
 * priority test needs.
 */
class AmqpBrokerContractTest extends BrokerContract {

  private static final String PREFIX = AmqpBrokerTests.uniquePrefix();
  private static final Duration LEASE = Duration.ofSeconds(1);

  private final ManualTimeSource time = new ManualTimeSource(Instant.now());
  private AmqpBroker broker;

  @BeforeEach
  void connect() {
    broker =
        AmqpBroker.connect(
            AmqpTests.uri(),
            time,
            new AmqpBroker.Options(PREFIX, LEASE, AmqpBroker.DEFAULT_LIVENESS_WINDOW, true));
  }

  @AfterEach
  void disconnect() throws Exception {
    try {
      broker.close();
    } finally {
      AmqpBrokerTests.deleteTaskQueues(broker);
    }
  }

  @AfterAll
  static void deleteTopology() throws Exception {
    AmqpBrokerTests.deleteTopology(PREFIX);
  }

  @Override
  protected TaskProducer producer() {
    return broker;
  }

  @Override
  protected NamedTaskConsumer namedConsumer() {
    return broker;
  }

  @Override
  protected Instant now() {
    return time.now();
  }

  @Override
  protected void advanceTime(Duration duration) throws InterruptedException {
    Instant before = time.now();
    try {
      AmqpBrokerTests.awaitServerDelay(
          broker, before, duration, awaitBound(), () -> time.advance(duration));
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("waiting for the server's clock failed", e);
    }
  }
}
