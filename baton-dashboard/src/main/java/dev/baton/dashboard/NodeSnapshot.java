package dev.baton.dashboard;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * A node's counters and gauges at one moment: what the overview page shows and charts. Counters
 * only grow while the node runs, so the page derives rates from two snapshots.
 *
 * @param node the node's name
 * @param at when the snapshot was taken
 * @param startedAt when the node started
 * @param commandsDispatched commands dispatched through the registry since start
 * @param commandsByModule the same, per module that handled them (modules with none are absent)
 * @param processesByState live processes per {@link dev.baton.process.ProcessState} name
 * @param readyQueue process steps waiting for a scheduler worker
 * @param schedulerWorkers the scheduler's worker threads
 * @param tasks the task counters of this node's task app
 */
public record NodeSnapshot(
    String node,
    Instant at,
    Instant startedAt,
    long commandsDispatched,
    Map<String, Long> commandsByModule,
    Map<String, Integer> processesByState,
    long readyQueue,
    int schedulerWorkers,
    TaskCounts tasks) {

  public NodeSnapshot {
    requireNonNull(node, "node");
    requireNonNull(at, "at");
    requireNonNull(startedAt, "startedAt");
    commandsByModule = Map.copyOf(commandsByModule);
    processesByState = Map.copyOf(processesByState);
    requireNonNull(tasks, "tasks");
  }

  /**
   * Task counters since start, as {@link dev.baton.tasks.TaskObserver} reports them.
   *
   * @param sent calls this node sent
   * @param succeeded attempts this node's workers ran that succeeded
   * @param failed attempts that failed for good
   * @param retried attempts that failed and were scheduled for retry
   * @param deadLettered tasks this node's workers moved to a dead-letter queue
   */
  public record TaskCounts(
      long sent, long succeeded, long failed, long retried, long deadLettered) {
    /** All zero: a node without a task app. */
    public static final TaskCounts NONE = new TaskCounts(0, 0, 0, 0, 0);
  }
}
