package dev.baton.node;

import static dev.baton.testing.TestNode.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dashboard.NodeSnapshot;
import dev.baton.dashboard.NodeView;
import dev.baton.dashboard.TaskRow;
import dev.baton.modules.clock.Clock;
import dev.baton.modules.store.Store;
import dev.baton.node.spi.ExtensionContext;
import dev.baton.node.spi.NodeExtension;
import dev.baton.process.Pid;
import dev.baton.process.ProcessInfo;
import dev.baton.tasks.Result;
import dev.baton.tasks.RetryPolicy;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Metrics and the dashboard's view after known work: counts are exact. */
class NodeMetricsTest {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final TaskOptions TWO_ATTEMPTS =
      TaskOptions.builder()
          .retry(new RetryPolicy(2, Duration.ofMillis(1), 1.0, Duration.ofMillis(1), 0.0))
          .build();

  /** add (succeeds), flaky (fails once), always (fails every attempt). */
  static final class Tasks implements NodeExtension {
    final AtomicInteger flakyRuns = new AtomicInteger();

    @Override
    public String name() {
      return "metrics-tasks";
    }

    @Override
    public void extend(ExtensionContext context) {
      TaskApp app = context.tasks();
      app.register("add", int.class, int.class, int.class, Integer::sum);
      app.register(
          "flaky",
          int.class,
          int.class,
          n -> {
            if (flakyRuns.incrementAndGet() == 1) {
              throw new IllegalStateException("first run fails");
            }
            return n;
          });
      app.register(
          "always",
          int.class,
          int.class,
          n -> {
            throw new IllegalStateException("always fails");
          });
      context.allocate("add", 1);
      context.allocate("flaky", 1);
      context.allocate("always", 1);
    }
  }

  @Test
  void afterKnownWork_theCountsAreExact_inMetricsAndSnapshot() throws Exception {
    NodeConfig config = NodeConfig.builder().dashboard(false).build();
    try (Node node = Node.start(config, List.of(new Tasks()))) {
      TaskApp app = node.tasks().orElseThrow();
      for (int i = 0; i < 3; i++) {
        assertThat(app.call("add", i, 1).await(BOUND)).isEqualTo(i + 1);
      }
      assertThat(app.call("flaky", TWO_ATTEMPTS, 7).await(BOUND)).isEqualTo(7);
      Result<?> always = app.call("always", TWO_ATTEMPTS, 1);
      try {
        always.await(BOUND);
      } catch (TaskFailedException expected) {
        // dead-lettered after two attempts
      }

      CompletableFuture<Void> done = new CompletableFuture<>();
      node.scheduler()
          .spawnCoroutine(
              (p, input) -> {
                // Tags 1 to 64: exactly one of them (64) is timed.
                for (int i = 0; i < NodeMetrics.LATENCY_SAMPLE_EVERY; i++) {
                  p.call(new Clock.Sleep(Duration.ZERO));
                }
                p.call(Store.Set.utf8("a", "1"));
                p.call(Store.Set.utf8("b", "2"));
                done.complete(null);
                return null;
              });
      done.get(BOUND.toSeconds(), TimeUnit.SECONDS);

      NodeView view = node.view();
      awaitCondition(
          "the dead letter and the last call to be observed",
          () -> view.snapshot().tasks().deadLettered() == 1 && view.recentTasks(10).size() == 5);
      NodeSnapshot snapshot = view.snapshot();
      assertThat(snapshot.node()).isEqualTo("baton");
      assertThat(snapshot.tasks()).isEqualTo(new NodeSnapshot.TaskCounts(5, 4, 0, 2, 1));
      assertThat(snapshot.commandsByModule())
          .containsEntry("clock", (long) NodeMetrics.LATENCY_SAMPLE_EVERY)
          .containsEntry("store", 2L);
      assertThat(snapshot.commandsDispatched())
          .isEqualTo(
              snapshot.commandsByModule().values().stream().mapToLong(Long::longValue).sum());
      assertThat(snapshot.schedulerWorkers()).isEqualTo(node.scheduler().parallelism());

      String text = view.prometheusScrape().orElseThrow();
      assertThat(text)
          .contains("baton_dispatch_commands_total{module=\"clock\"} 64.0")
          .contains("baton_dispatch_commands_total{module=\"store\"} 2.0")
          .contains("baton_dispatch_latency_seconds_count{module=\"clock\"} 1")
          .contains("baton_dispatch_latency_seconds_count{module=\"store\"} 0")
          .contains("baton_tasks_sent_total{task=\"add\"} 3.0")
          .contains("baton_tasks_succeeded_total{task=\"add\"} 3.0")
          .contains("baton_tasks_succeeded_total{task=\"flaky\"} 1.0")
          .contains("baton_tasks_retried_total{task=\"flaky\"} 1.0")
          .contains("baton_tasks_retried_total{task=\"always\"} 1.0")
          .contains("baton_tasks_failed_total{task=\"always\"} 0.0")
          .contains("baton_tasks_dead_lettered_total{task=\"always\"} 1.0")
          .contains("baton_tasks_latency_seconds_count{task=\"add\"} 3")
          .contains("baton_tasks_run_seconds_count{task=\"flaky\"} 2")
          .contains("baton_tasks_run_seconds_count{task=\"always\"} 2")
          .contains("baton_tasks_queue_depth{kind=\"dead\",queue=\"always\"} 1.0")
          .contains("baton_scheduler_ready ");

      List<TaskRow> recent = view.recentTasks(10);
      assertThat(recent.getFirst().name()).isEqualTo("always");
      assertThat(recent.getFirst().state()).isEqualTo("DEAD");
      assertThat(recent.getFirst().errorCode()).isEqualTo("TASK_FAILED");
      assertThat(recent.getFirst().attempt()).isEqualTo(2);
      assertThat(recent.get(1).name()).isEqualTo("flaky");
      assertThat(recent.get(1).state()).isEqualTo("SUCCEEDED");
      assertThat(recent).extracting(TaskRow::traceId).allMatch(id -> id.length() == 32);
      assertThat(view.recentTasks(2)).hasSize(2);
      assertThat(view.deadLetters(10)).hasSize(1);
      assertThat(view.queues()).extracting(q -> q.queue()).contains("add", "flaky", "always");
    }
  }

  @Test
  void everyCallThisNodeMade_isCountedByFinalStateAndError_refusalsBeforeSendingToo()
      throws Exception {
    NodeConfig config = NodeConfig.builder().dashboard(false).build();
    try (Node node = Node.start(config, List.of(new Tasks()))) {
      TaskApp app = node.tasks().orElseThrow();
      assertThat(app.call("add", 1, 2).await(BOUND)).isEqualTo(3);
      assertThat(app.call("add", 2, 2).await(BOUND)).isEqualTo(4);
      assertThatThrownBy(() -> app.call("nope", 1).await(BOUND))
          .isInstanceOf(TaskFailedException.class);
      assertThatThrownBy(() -> app.call("add", "one", "two").await(BOUND))
          .isInstanceOf(TaskFailedException.class);
      assertThatThrownBy(() -> app.call("always", TWO_ATTEMPTS, 1).await(BOUND))
          .isInstanceOf(TaskFailedException.class);

      // callFinished comes before a call's result completes, so the counts are final here.
      String text = node.view().prometheusScrape().orElseThrow();
      assertThat(text)
          .contains("baton_tasks_calls_total{error=\"none\",state=\"SUCCEEDED\",task=\"add\"} 2.0")
          .contains(
              "baton_tasks_calls_total{error=\"BAD_ARGUMENTS\",state=\"FAILED\",task=\"add\"} 1.0")
          .contains(
              "baton_tasks_calls_total{error=\"UNKNOWN_TASK\",state=\"FAILED\",task=\"nope\"} 1.0")
          .contains(
              "baton_tasks_calls_total{error=\"TASK_FAILED\",state=\"DEAD\",task=\"always\"} 1.0")
          // The refusals never reached a worker: the worker-side counters do not see them.
          .contains("baton_tasks_failed_total{task=\"nope\"} 0.0")
          .contains("baton_tasks_failed_total{task=\"add\"} 0.0");
      assertThat(text.lines().filter(line -> line.startsWith("baton_tasks_calls_total{")))
          .hasSize(4);
    }
  }

  @Test
  void theView_listsProcessesByPid_andTerminatesThem() throws Exception {
    NodeConfig config =
        NodeConfig.builder()
            .dashboard(false)
            .scheduler(new NodeConfig.SchedulerConfig(2, 1000, 100, Duration.ofMillis(200)))
            .build();
    try (Node node = Node.start(config, List.of())) {
      Pid first = node.scheduler().spawnCoroutine((p, in) -> p.receive("never").payload());
      Pid second = node.scheduler().spawnCoroutine((p, in) -> p.receive("never").payload());
      NodeView view = node.view();
      awaitCondition(
          "both processes to wait",
          () -> view.snapshot().processesByState().getOrDefault("IDLE", 0) == 2);
      assertThat(view.processes(10)).extracting(ProcessInfo::pid).containsExactly(first, second);
      assertThat(view.processes(1)).extracting(ProcessInfo::pid).containsExactly(first);
      assertThat(view.prometheusScrape().orElseThrow())
          .contains("baton_scheduler_processes{state=\"IDLE\"} 2.0");
      assertThat(view.terminate(first)).isTrue();
      awaitCondition("the first to end", () -> !node.scheduler().isAlive(first));
      assertThat(view.terminate(first)).isFalse();
      assertThat(view.processes(10)).extracting(ProcessInfo::pid).containsExactly(second);
    }
  }

  @Test
  void metricsDisabled_meansNoScrape_andNoDispatchCounts() throws Exception {
    NodeConfig config = NodeConfig.builder().dashboard(false).metrics(false).build();
    try (Node node = Node.start(config, List.of())) {
      assertThat(node.view().prometheusScrape()).isEmpty();
      assertThat(node.view().snapshot().commandsDispatched()).isZero();
    }
  }
}
