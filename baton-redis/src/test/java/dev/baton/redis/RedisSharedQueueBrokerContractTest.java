package dev.baton.redis;

import dev.baton.tasks.spi.TaskConsumer;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.testkit.SharedQueueBrokerContract;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The Redis shared-queue broker meets the shared-queue broker contract against a real server, each
 * test on a shared queue of its own, on a manual clock that starts at the real time. Leases are the
 * server's idle time, so {@link #advanceTime} works as in {@link RedisBrokerContractTest}.
 */
class RedisSharedQueueBrokerContractTest extends SharedQueueBrokerContract {

  private static final Duration LEASE = RedisBrokerContractTest.LEASE;

  private final ManualTimeSource time = new ManualTimeSource(Instant.now());
  private final String queue = RedisTests.uniqueSharedQueue();
  private RedisSharedQueueBroker broker;

  @BeforeEach
  void connect() {
    broker =
        RedisSharedQueueBroker.connect(
            RedisTests.uri(), time, queue, LEASE, RedisBroker.DEFAULT_LIVENESS_WINDOW);
  }

  @AfterEach
  void disconnect() {
    try {
      broker.close();
    } finally {
      RedisTests.deleteKeys(queue);
    }
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
    Duration onServer = duration.compareTo(LEASE) < 0 ? duration : LEASE;
    RedisTests.awaitServerClock(onServer.plusMillis(50), awaitBound());
    time.advance(Duration.ofSeconds(1));
  }
}
