package dev.baton.dashboard;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.process.Pid;
import dev.baton.process.ProcessInfo;
import dev.baton.process.Scheduler;
import dev.baton.tasks.RetryPolicy;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.WorkerHeartbeat;
import dev.baton.testing.TestNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real node for the dashboard's tests: a booted {@link TestNode} (registry and scheduler) with an
 * "echo" module whose commands it counts, and a local {@link TaskApp} with a task that succeeds
 * ({@value #OK_TASK}) and one that always fails ({@value #BROKEN_TASK}, two attempts, so it ends
 * dead-lettered). {@link #startWork()} runs background work on a fixed schedule: coroutines that
 * call echo commands and calls of the succeeding task. {@link #view()} is the {@link NodeView} over
 * all of it.
 */
final class LiveNode implements AutoCloseable {
  static final String OK_TASK = "work.ok";
  static final String BROKEN_TASK = "work.broken";
  static final String NODE_NAME = "test-node";

  private static final CommandId ECHO_ID = CommandId.of(CommandId.FIRST_CUSTOM + 81);

  /** Echoes its text back; counted by the echo module. */
  record Echo(String text) implements Command<String> {
    @Override
    public CommandId commandId() {
      return ECHO_ID;
    }
  }

  private final AtomicLong echoes = new AtomicLong();
  final AtomicInteger brokenRuns = new AtomicInteger();
  private final TestNode node;
  private final TaskLog log = new TaskLog();
  private final TaskApp tasks;
  private final Instant startedAt = Instant.now();
  private final ScheduledExecutorService work =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofVirtual().name("live-node-work").factory());

  LiveNode() {
    this.node = TestNode.builder().dispatcher(new EchoModule()).build();
    this.tasks = TaskApp.builder().observer(log).build();
    tasks.register(OK_TASK, Integer.class, Integer.class, n -> n * 2);
    tasks.register(
        BROKEN_TASK,
        String.class,
        String.class,
        s -> {
          brokenRuns.incrementAndGet();
          throw new IllegalStateException("broken on purpose: " + s);
        });
    tasks.setOption(
        BROKEN_TASK,
        TaskOptions.builder().retry(RetryPolicy.exponential(2, Duration.ofMillis(5))).build());
    tasks.allocate(OK_TASK, 2, 0);
    tasks.allocate(BROKEN_TASK, 1, 0);
  }

  Scheduler scheduler() {
    return node.scheduler();
  }

  TaskApp tasks() {
    return tasks;
  }

  /** Starts the background work: every 20 ms a coroutine of five echo commands and a task call. */
  void startWork() {
    AtomicInteger round = new AtomicInteger();
    var _ =
        work.scheduleWithFixedDelay(
            () -> {
              int n = round.incrementAndGet();
              var _ =
                  scheduler()
                      .spawnCoroutine(
                          (process, input) -> {
                            for (int i = 0; i < 5; i++) {
                              process.call(new Echo("round " + n));
                            }
                            return null;
                          });
              var _ = tasks.call(OK_TASK, n);
            },
            0,
            20,
            TimeUnit.MILLISECONDS);
  }

  /** Spawns a process that waits for a message that never comes (until terminated). */
  Pid spawnIdle() {
    return scheduler().spawnCoroutine((process, input) -> process.receive("never"));
  }

  /** Calls the broken task and waits until its call is dead-lettered; returns the dead letter. */
  DeadLetter deadLetterOne(String argument) {
    String callId = tasks.call(BROKEN_TASK, argument).key().id();
    BrokerInspection inspection = tasks.inspection().orElseThrow();
    TestNode.awaitCondition(
        "the call " + callId + " to be dead-lettered",
        () -> findLetter(inspection, callId) != null);
    DeadLetter letter = findLetter(inspection, callId);
    if (letter == null) {
      throw new AssertionError("no dead letter for " + callId);
    }
    return letter;
  }

  private static @org.jspecify.annotations.Nullable DeadLetter findLetter(
      BrokerInspection inspection, String callId) {
    for (DeadLetter letter : inspection.deadLetters(1000)) {
      if (letter.key() != null && letter.key().id().equals(callId)) {
        return letter;
      }
    }
    return null;
  }

  /** The node as the dashboard sees it, with a Prometheus scrape of its echo counter. */
  NodeView view() {
    return new View(true);
  }

  /** The same without metrics. */
  NodeView viewWithoutMetrics() {
    return new View(false);
  }

  @Override
  public void close() {
    work.shutdownNow();
    try {
      if (!work.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the background work did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tasks.close();
    node.close();
  }

  private final class EchoModule implements Dispatcher {
    @Override
    public String module() {
      return "echo";
    }

    @Override
    public Set<CommandId> commandIds() {
      return Set.of(ECHO_ID);
    }

    @Override
    public void registerAll(Registrar registrar, AppContext services) {
      registrar.register(
          ECHO_ID,
          Handler.forType(
              Echo.class,
              (context, echo, tag, receiver) -> {
                echoes.incrementAndGet();
                receiver.completeYield(tag, echo.text(), null);
              }));
    }
  }

  private final class View implements NodeView {
    private final boolean metrics;

    View(boolean metrics) {
      this.metrics = metrics;
    }

    @Override
    public NodeSnapshot snapshot() {
      Map<String, Integer> byState = new TreeMap<>();
      for (ProcessInfo info : scheduler().processes()) {
        byState.merge(info.state().name(), 1, Integer::sum);
      }
      long commands = echoes.get();
      return new NodeSnapshot(
          NODE_NAME,
          Instant.now(),
          startedAt,
          commands,
          commands == 0 ? Map.of() : Map.of("echo", commands),
          byState,
          scheduler().stats().queued(),
          scheduler().parallelism(),
          new NodeSnapshot.TaskCounts(
              log.sent.get(),
              log.succeeded.get(),
              log.failed.get(),
              log.retried.get(),
              log.deadLettered.get()));
    }

    @Override
    public List<ProcessInfo> processes(int limit) {
      List<ProcessInfo> all = new ArrayList<>(scheduler().processes());
      all.sort(Comparator.comparingLong(info -> info.pid().id()));
      return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    @Override
    public boolean terminate(Pid pid) {
      if (!scheduler().isAlive(pid)) {
        return false;
      }
      scheduler().terminate(pid, "terminated from the dashboard");
      return true;
    }

    @Override
    public List<TaskRow> recentTasks(int limit) {
      return log.recent(limit);
    }

    @Override
    public List<QueueStats> queues() {
      return tasks.inspection().map(BrokerInspection::queues).orElse(List.of());
    }

    @Override
    public List<WorkerHeartbeat> workers() {
      return tasks.inspection().map(BrokerInspection::workers).orElse(List.of());
    }

    @Override
    public List<DeadLetter> deadLetters(int limit) {
      return tasks.inspection().map(i -> i.deadLetters(limit)).orElse(List.of());
    }

    @Override
    public boolean retryDeadLetter(String deadLetterId) {
      return tasks.inspection().map(i -> i.retryDeadLetter(deadLetterId)).orElse(false);
    }

    @Override
    public Optional<String> prometheusScrape() {
      if (!metrics) {
        return Optional.empty();
      }
      return Optional.of(
          "# TYPE baton_dispatch_commands_total counter\nbaton_dispatch_commands_total{module=\"echo\"} "
              + echoes.get()
              + "\n");
    }
  }
}
