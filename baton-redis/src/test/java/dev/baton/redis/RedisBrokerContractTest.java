package dev.baton.redis;

import dev.baton.tasks.spi.NamedTaskConsumer;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.testkit.BrokerContract;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The Redis broker meets the broker contract against a real server, on a manual clock that starts
 * at the real time (so etas are near the server's).
 *
 * <p>The manual clock drives the broker's client-side loops (the delay mover and the lease
 * reclaim), but a lease is the pending entry's idle time on the server's clock, which the test
 * cannot move. So the broker runs with a one-second lease and {@link #advanceTime} advances the
 * manual clock, waits (bounded) until the server's clock has moved as far, up to one lease, and
 * advances the manual clock by one more second so the reclaim runs again after that.
 */
class RedisBrokerContractTest extends BrokerContract {

  static final Duration LEASE = Duration.ofSeconds(1);

  private final ManualTimeSource time = new ManualTimeSource(Instant.now());
  private RedisBroker broker;

  @BeforeEach
  void connect() {
    broker =
        RedisBroker.connect(RedisTests.uri(), time, LEASE, RedisBroker.DEFAULT_LIVENESS_WINDOW);
  }

  @AfterEach
  void disconnect() {
    try {
      broker.close();
    } finally {
      RedisTests.deleteKeys(queuePrefix());
    }
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
    Duration onServer = duration.compareTo(LEASE) < 0 ? duration : LEASE;
    RedisTests.awaitServerClock(onServer.plusMillis(50), awaitBound());
    time.advance(Duration.ofSeconds(1));
  }
}
