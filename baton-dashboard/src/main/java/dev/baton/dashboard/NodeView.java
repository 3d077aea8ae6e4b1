package dev.baton.dashboard;

import dev.baton.process.Pid;
import dev.baton.process.ProcessInfo;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.WorkerHeartbeat;
import java.util.List;
import java.util.Optional;

/**
 * What the dashboard reads from a node and the actions it may take on it. The node implements it
 * over its own services (scheduler, task app and its broker's inspection, metrics); the dashboard
 * never reaches into a node any other way, so everything the page and {@code baton inspect} show
 * goes through this interface.
 *
 * <p><b>Threading.</b> Called from the dashboard's HTTP threads and its sampler, concurrently.
 * Every method returns a snapshot (figures may be slightly behind, not a consistent cut) and may do
 * I/O to the broker, so the dashboard never calls it while holding a lock.
 */
public interface NodeView {

  /** The node's counters and gauges now; the dashboard samples it for the live page. */
  NodeSnapshot snapshot();

  /** Up to {@code limit} live processes, lowest pid first. */
  List<ProcessInfo> processes(int limit);

  /**
   * Terminates a process (forcefully, with a reason naming the dashboard).
   *
   * @return false if no such process is alive
   */
  boolean terminate(Pid pid);

  /** Up to {@code limit} of the calls this node made or ran most recently, newest first. */
  List<TaskRow> recentTasks(int limit);

  /** The broker's queues with their depths; empty when the node has no task app. */
  List<QueueStats> queues();

  /** Workers seen alive by the broker. */
  List<WorkerHeartbeat> workers();

  /** Up to {@code limit} dead letters, oldest first. */
  List<DeadLetter> deadLetters(int limit);

  /**
   * Puts a dead letter back on its queue as a fresh delivery.
   *
   * @return false if there is no such dead letter (already retried or discarded)
   */
  boolean retryDeadLetter(String deadLetterId);

  /** The metrics in Prometheus's text format, if the node has metrics enabled. */
  Optional<String> prometheusScrape();
}
