package dev.baton.process;

import java.util.List;

/**
 * A snapshot of a scheduler's activity; counters may be slightly behind the workers.
 *
 * @param workers each worker's counts
 * @param processes live processes
 * @param spawned processes spawned since the scheduler started
 * @param queued process steps waiting in the queues
 */
public record SchedulerStats(List<WorkerStats> workers, int processes, long spawned, long queued) {

  /** Steps run by all workers together. */
  public long executed() {
    return workers.stream().mapToLong(WorkerStats::executed).sum();
  }

  /** Steps run by a worker other than the one that queued them. */
  public long stolen() {
    return workers.stream().mapToLong(WorkerStats::stolen).sum();
  }
}
