package dev.baton.tasks.spi;

import dev.baton.tasks.TaskKey;

/** What both consumer roles offer besides their subscriptions. Thread-safe. */
public interface DeliverySource extends TaskAdapter {

  /**
   * Whether {@code key} was revoked with {@link TaskProducer#revoke}. Called by a worker before it
   * starts a task; may block briefly on a round trip to the broker.
   */
  boolean isRevoked(TaskKey key);

  /**
   * Records that a worker is alive, for {@link BrokerInspection#workers()}. Workers call it
   * periodically; a worker whose last heartbeat is old is shown as gone.
   */
  void heartbeat(WorkerHeartbeat heartbeat);
}
