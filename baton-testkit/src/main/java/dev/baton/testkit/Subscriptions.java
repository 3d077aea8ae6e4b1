package dev.baton.testkit;

import dev.baton.tasks.spi.Subscription;
import java.util.ArrayList;
import java.util.List;

/** Cancels the subscriptions a test opened, before the test method returns. */
final class Subscriptions implements AutoCloseable {
  private final List<Subscription> open = new ArrayList<>();

  synchronized Subscription add(Subscription subscription) {
    open.add(subscription);
    return subscription;
  }

  @Override
  public synchronized void close() {
    for (Subscription subscription : open) {
      subscription.cancel();
    }
    open.clear();
  }
}
