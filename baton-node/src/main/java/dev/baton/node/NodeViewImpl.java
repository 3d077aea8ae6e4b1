package dev.baton.node;

import dev.baton.dashboard.NodeSnapshot;
import dev.baton.dashboard.NodeView;
import dev.baton.dashboard.TaskRow;
import dev.baton.process.Pid;
import dev.baton.process.ProcessInfo;
import dev.baton.process.Scheduler;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.WorkerHeartbeat;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The node as the dashboard sees it, over its scheduler, task app (and its broker's inspection),
 * recent task activity and metrics. Thread-safe: every method reads thread-safe services and
 * returns a copy.
 */
final class NodeViewImpl implements NodeView {
  private final String node;
  private final Instant startedAt;
  private final @Nullable TaskApp app;
  private final TaskActivity activity;
  private final @Nullable NodeMetrics metrics;
  private volatile @Nullable Scheduler scheduler;

  NodeViewImpl(
      String node,
      Instant startedAt,
      @Nullable TaskApp app,
      TaskActivity activity,
      @Nullable NodeMetrics metrics) {
    this.node = node;
    this.startedAt = startedAt;
    this.app = app;
    this.activity = activity;
    this.metrics = metrics;
  }

  /** Called once the scheduler exists (the node has started). */
  void attach(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  private Scheduler scheduler() {
    Scheduler current = scheduler;
    if (current == null) {
      throw new IllegalStateException("node " + node + " has not started yet");
    }
    return current;
  }

  @Override
  public NodeSnapshot snapshot() {
    Scheduler s = scheduler();
    Map<String, Long> byModule = metrics == null ? Map.of() : metrics.commandsByModule();
    long dispatched = byModule.values().stream().mapToLong(Long::longValue).sum();
    return new NodeSnapshot(
        node,
        Instant.now(),
        startedAt,
        dispatched,
        byModule,
        NodeMetrics.byState(s.processes()),
        s.stats().queued(),
        s.parallelism(),
        app == null ? NodeSnapshot.TaskCounts.NONE : activity.counts());
  }

  @Override
  public List<ProcessInfo> processes(int limit) {
    return scheduler().processes().stream()
        .sorted(Comparator.comparingLong(info -> info.pid().id()))
        .limit(Math.max(0, limit))
        .toList();
  }

  @Override
  public boolean terminate(Pid pid) {
    Scheduler s = scheduler();
    if (!s.isAlive(pid)) {
      return false;
    }
    s.terminate(pid, "terminated from the dashboard");
    return true;
  }

  @Override
  public List<TaskRow> recentTasks(int limit) {
    return activity.recent(Math.max(0, limit));
  }

  private Optional<BrokerInspection> inspection() {
    return app == null ? Optional.empty() : app.inspection();
  }

  @Override
  public List<QueueStats> queues() {
    return inspection().map(BrokerInspection::queues).orElse(List.of());
  }

  @Override
  public List<WorkerHeartbeat> workers() {
    return inspection().map(BrokerInspection::workers).orElse(List.of());
  }

  @Override
  public List<DeadLetter> deadLetters(int limit) {
    return inspection().map(i -> i.deadLetters(Math.max(0, limit))).orElse(List.of());
  }

  @Override
  public boolean retryDeadLetter(String deadLetterId) {
    return inspection().map(i -> i.retryDeadLetter(deadLetterId)).orElse(false);
  }

  @Override
  public Optional<String> prometheusScrape() {
    return metrics == null ? Optional.empty() : Optional.of(metrics.scrape());
  }
}
