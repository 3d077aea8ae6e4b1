package dev.baton.tasks.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Set;

/**
 * A worker's sign of life.
 *
 * @param workerId unique per app instance
 * @param queues the queues it consumes
 * @param busy tasks it is running now
 * @param capacity tasks it can run at once
 * @param at when it was sent, on the worker's time source
 */
public record WorkerHeartbeat(
    String workerId, Set<String> queues, int busy, int capacity, Instant at) {

  public WorkerHeartbeat {
    requireNonNull(workerId, "workerId");
    queues = Set.copyOf(queues);
    requireNonNull(at, "at");
  }
}
