package dev.baton.testkit;

import dev.baton.modules.store.InMemoryStore;
import dev.baton.modules.store.spi.StoreBackend;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;

/**
 * The in-memory store meets the store contract on a manual clock: expiry tests move the clock,
 * nothing waits, and reported expiries are exact ({@link #expiryTolerance()} is zero).
 */
class InMemoryStoreContractTest extends StoreContract {

  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryStore store = new InMemoryStore("contract", time);

  @AfterEach
  void close() {
    store.close();
  }

  @Override
  protected StoreBackend store() {
    return store;
  }

  @Override
  protected void advanceTime(Duration duration) {
    time.advance(duration);
  }

  @Override
  protected Instant now() {
    return time.now();
  }

  @Override
  protected Duration expiryTolerance() {
    return Duration.ZERO;
  }
}
