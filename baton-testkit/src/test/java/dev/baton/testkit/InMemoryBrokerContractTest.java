package dev.baton.testkit;

import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.tasks.spi.NamedTaskConsumer;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;

/** The in-memory broker meets the broker contract, on a manual clock. */
class InMemoryBrokerContractTest extends BrokerContract {

  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryBroker broker = new InMemoryBroker(time);

  @AfterEach
  void close() {
    broker.close();
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
  protected void advanceTime(Duration duration) {
    time.advance(duration);
  }
}
