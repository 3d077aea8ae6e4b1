package dev.baton.tasks.spi;

import static java.util.Objects.requireNonNull;

/**
 * Depths of one queue.
 *
 * @param queue the queue's name
 * @param ready tasks waiting for a consumer
 * @param delayed tasks waiting for their eta (or a retry backoff)
 * @param unacked tasks delivered and not yet settled
 * @param deadLetters tasks in this queue's dead-letter queue
 */
public record QueueStats(String queue, long ready, long delayed, long unacked, long deadLetters) {

  public QueueStats {
    requireNonNull(queue, "queue");
  }
}
