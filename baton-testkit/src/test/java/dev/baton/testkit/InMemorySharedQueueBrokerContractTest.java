package dev.baton.testkit;

import dev.baton.tasks.memory.InMemorySharedQueueBroker;
import dev.baton.tasks.spi.TaskConsumer;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;

/** The in-memory shared-queue broker meets the shared-queue broker contract, on a manual clock. */
class InMemorySharedQueueBrokerContractTest extends SharedQueueBrokerContract {

  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemorySharedQueueBroker broker = new InMemorySharedQueueBroker(time);

  @AfterEach
  void close() {
    broker.close();
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
