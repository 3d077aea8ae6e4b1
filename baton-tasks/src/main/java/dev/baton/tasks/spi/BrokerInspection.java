package dev.baton.tasks.spi;

import java.util.List;

/**
 * What a broker shows the dashboard and the CLI: queue depths, live workers, dead letters. A broker
 * adapter implements it beside its roles; the app exposes it as {@code TaskApp.inspection()}.
 * Figures are a snapshot, not a consistent cut across queues.
 */
public interface BrokerInspection {

  /** Every queue the broker knows of, with its depths. */
  List<QueueStats> queues();

  /** The latest heartbeat of each worker seen within the broker's liveness window. */
  List<WorkerHeartbeat> workers();

  /** Up to {@code limit} dead letters, oldest first. */
  List<DeadLetter> deadLetters(int limit);

  /**
   * Puts a dead letter back on its queue as a fresh delivery (attempt 1 again).
   *
   * @return false if there is no dead letter with that id (already retried or discarded)
   */
  boolean retryDeadLetter(String deadLetterId);

  /**
   * Deletes a dead letter for good.
   *
   * @return false if there is no dead letter with that id
   */
  boolean discardDeadLetter(String deadLetterId);
}
