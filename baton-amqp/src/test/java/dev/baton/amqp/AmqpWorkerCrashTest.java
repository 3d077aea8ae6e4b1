package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.baton.tasks.Report;
import dev.baton.tasks.Result;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.testkit.ChildJvm;
import dev.baton.time.SystemTimeSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability test 1 of issue 5 against the real RabbitMQ server: a worker JVM ({@link
 * AmqpCrashingWorkerMain}, started by this test) is killed with SIGKILL while 2,000 tasks are
 * queued or running; a second worker, in this JVM, goes on. RabbitMQ requeues the killed
 * connection's unacknowledged deliveries at once. Every task completes with its value, each
 * caller's report stream carries exactly one final report, and the tasks that ran more than once
 * are at most the deliveries the killed worker held unacknowledged (its channel's prefetch: the
 * worker count of its one {@code allocate} times its prefetch multiplier, which bounds its running
 * and waiting tasks together). Executions are counted per task in append-only files, one per JVM,
 * whose lines a SIGKILL cannot lose. Everything is named under a prefix of the test's own and
 * deleted afterwards.
 */
class AmqpWorkerCrashTest {

  private static final int TASKS = 2_000;
  private static final int CHILD_WORKERS = 4;
  private static final int LOCAL_WORKERS = 4;
  private static final int COMPLETED_BEFORE_KILL = 300;
  private static final Duration BOUND = Duration.ofSeconds(60);

  private final String prefix =
      "wc" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final String name = "crash";
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final SystemTimeSource time = new SystemTimeSource();
  private @Nullable ChildJvm child;
  private @TempDir Path dir;

  AmqpWorkerCrashTest() {
    closeables.add(time);
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      ChildJvm p = child;
      if (p != null) {
        p.close();
      }
    } finally {
      try {
        for (AutoCloseable c : closeables.reversed()) {
          c.close();
        }
      } finally {
        deleteTopology();
      }
    }
  }

  @Test
  void killingAWorkerJvmLosesNoTaskAndRerunsAtMostItsUnacknowledgedDeliveries() throws Exception {
    Path childLog = dir.resolve("child.executions");
    Path localLog = dir.resolve("local.executions");
    ChildJvm worker = startChildWorker(childLog);
    worker.awaitReady(BOUND);

    FileChannel localExecutions = AmqpCrashingWorkerMain.openExecutionLog(localLog);
    closeables.add(localExecutions);
    AmqpBroker localBroker = broker();
    TaskApp local = workerApp(localBroker);
    local.register(
        name, int.class, int.class, n -> AmqpCrashingWorkerMain.execute(localExecutions, n));
    local.allocate(name, LOCAL_WORKERS, 0);

    TaskApp caller = callerApp();
    List<Result<@Nullable Object>> results = new ArrayList<>(TASKS);
    List<FinalReports> reports = new ArrayList<>(TASKS);
    AtomicInteger completed = new AtomicInteger();
    for (int i = 0; i < TASKS; i++) {
      Result<@Nullable Object> result = caller.call(name, i);
      FinalReports finals = new FinalReports();
      result.reports().subscribe(finals);
      var _ = result.toCompletableFuture().whenComplete((v, e) -> completed.incrementAndGet());
      results.add(result);
      reports.add(finals);
    }

    awaitCondition(
        () -> completed.get() >= COMPLETED_BEFORE_KILL,
        () -> COMPLETED_BEFORE_KILL + " completed calls; completed: " + completed.get());
    int completedAtKill = completed.get();
    worker.kill(BOUND);
    long killedAt = System.nanoTime();
    // the child is dead: its log is complete
    int[] ranInChild = executionCounts(childLog);
    long childTotal = sum(ranInChild);
    assertThat(childTotal).as("executions in the killed worker JVM").isPositive();
    assertThat(completedAtKill)
        .as("calls completed when the worker JVM was killed (some must still be queued)")
        .isLessThan(TASKS);

    long deadline = System.nanoTime() + BOUND.toNanos();
    for (int i = 0; i < TASKS; i++) {
      long left = Math.max(1, deadline - System.nanoTime());
      Object value;
      try {
        value = results.get(i).await(Duration.ofNanos(left));
      } catch (TimeoutException e) {
        throw new AssertionError(
            "call "
                + i
                + " did not complete within "
                + BOUND
                + " of the kill; completed: "
                + completed.get()
                + "; state: "
                + results.get(i).state()
                + "; the killed worker's output: "
                + worker.lines(),
            e);
      }
      assertThat(value).as("result of call %d", i).isEqualTo(2 * i);
    }
    for (int i = 0; i < TASKS; i++) {
      FinalReports finals = reports.get(i);
      finals.await(BOUND, "call " + i);
      assertThat(finals.finals.get()).as("final reports of call %d", i).isEqualTo(1);
      assertThat(finals.errors).as("report stream errors of call %d", i).isEmpty();
    }

    long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    // a task the killed worker had reported but not acknowledged comes back and runs again here,
    // possibly after its caller completed: wait until the queue is empty and nothing is unsettled,
    // so every execution is in the logs
    awaitCondition(
        () -> {
          QueueStats stats = queueStats(localBroker);
          return stats.ready() == 0 && stats.unacked() == 0;
        },
        () -> "empty queue with nothing unacknowledged; last: " + queueStats(localBroker));
    int[] ranLocally = executionCounts(localLog);
    List<Integer> rerun = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      int count = ranInChild[i] + ranLocally[i];
      assertThat(count).as("executions of task %d", i).isGreaterThanOrEqualTo(1);
      if (count > 1) {
        rerun.add(i);
      }
    }
    // the killed worker's one subscription held at most its prefetch of unacknowledged deliveries
    // (running and waiting together): only those can run again
    int prefetch = CHILD_WORKERS * AmqpCrashingWorkerMain.PREFETCH_MULTIPLIER;
    List<String> perJvm = new ArrayList<>();
    for (int i : rerun) {
      perJvm.add(i + ": killed JVM " + ranInChild[i] + ", this JVM " + ranLocally[i]);
    }
    assertThat(rerun)
        .as(
            "tasks executed more than once (killed worker's prefetch: %d); executions %s",
            prefetch, perJvm)
        .hasSizeLessThanOrEqualTo(prefetch);
    for (int i : rerun) {
      assertThat(ranInChild[i]).as("executions of re-run task %d in the killed JVM", i).isOne();
      assertThat(ranLocally[i]).as("executions of re-run task %d in this JVM", i).isOne();
    }
    System.out.printf(
        "completed at kill: %d; executions in the killed JVM: %d; tasks run twice (bound %d): %s;"
            + " all completed %d ms after the kill%n",
        completedAtKill, childTotal, prefetch, rerun, drainMillis);
  }

  // ---- the child JVM ----

  private ChildJvm startChildWorker(Path executionLog) throws Exception {
    String uri = System.getenv("BATON_AMQP_URI");
    ChildJvm p =
        ChildJvm.start(
            AmqpCrashingWorkerMain.class,
            uri == null ? Map.of() : Map.of("BATON_AMQP_URI", uri),
            name,
            prefix,
            executionLog.toString(),
            Integer.toString(CHILD_WORKERS));
    child = p;
    return p;
  }

  // ---- executions ----

  /** Executions per task in an execution log ({@code <n>} per line). */
  private static int[] executionCounts(Path log) throws IOException {
    int[] counts = new int[TASKS];
    if (!Files.exists(log)) {
      return counts;
    }
    for (String line : Files.readAllLines(log, US_ASCII)) {
      int n = Integer.parseInt(line);
      assertThat(n).as("task number in %s", log).isBetween(0, TASKS - 1);
      counts[n]++;
    }
    return counts;
  }

  private static long sum(int[] counts) {
    long total = 0;
    for (int c : counts) {
      total += c;
    }
    return total;
  }

  // ---- wiring ----

  private QueueStats queueStats(AmqpBroker broker) {
    return broker.queues().stream()
        .filter(s -> s.queue().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the broker does not list queue " + name));
  }

  private AmqpBroker broker() {
    AmqpBroker broker =
        AmqpBroker.connect(
            AmqpTests.uri(),
            time,
            AmqpBroker.DEFAULT_LEASE,
            AmqpBroker.DEFAULT_LIVENESS_WINDOW,
            prefix);
    closeables.add(broker);
    return broker;
  }

  private AmqpBackend backend() {
    AmqpBackend backend =
        AmqpBackend.connect(AmqpTests.uri(), time, AmqpBackend.Options.DEFAULTS.withPrefix(prefix));
    closeables.add(backend);
    return backend;
  }

  /** An app that only runs tasks; closed before its adapters. */
  private TaskApp workerApp(AmqpBroker broker) {
    AmqpBackend backend = backend();
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    closeables.add(app);
    app.use(broker, Role.NAMED_CONSUMER);
    app.use(backend, Role.REPORTER);
    return app;
  }

  /** An app that only calls tasks; closed before its adapters. */
  private TaskApp callerApp() {
    AmqpBroker broker = broker();
    AmqpBackend backend = backend();
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    closeables.add(app);
    app.use(broker, Role.PRODUCER);
    app.use(backend, Role.STORE);
    return app;
  }

  /**
   * Deletes what the brokers declared under the test's prefix on the shared server: the task queue,
   * the delay cascade, the dead letters, the streams and the exchanges. The backends delete their
   * reply queues when closed; the killed worker's expires by itself.
   */
  private void deleteTopology() throws Exception {
    BrokerTopology names = new BrokerTopology(prefix, false);
    ConnectionFactory factory = AmqpConnections.factory(AmqpTests.uri());
    factory.setAutomaticRecoveryEnabled(false);
    try (Connection connection = factory.newConnection("baton-test-cleanup")) {
      List<String> queues = new ArrayList<>(names.fixedQueues());
      queues.add(names.taskQueue(name));
      for (String queue : queues) {
        try (Channel channel = connection.createChannel()) {
          var _ = channel.queueDelete(queue);
        }
      }
      for (String exchange : names.exchanges()) {
        try (Channel channel = connection.createChannel()) {
          var _ = channel.exchangeDelete(exchange);
        }
      }
    }
  }

  // ---- bounded waits ----

  private static void awaitCondition(BooleanSupplier done, Supplier<String> what) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what.get() + " within " + BOUND);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  /** Counts a call's final reports and completes when its report stream ends. */
  private static final class FinalReports implements Flow.Subscriber<Report> {
    final AtomicInteger finals = new AtomicInteger();
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Report report) {
      if (report.status().isFinal()) {
        finals.incrementAndGet();
      }
    }

    @Override
    public void onError(Throwable throwable) {
      errors.add(throwable);
      done.complete(null);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }

    void await(Duration bound, String what) throws Exception {
      try {
        done.get(bound.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("the report stream of " + what + " did not end", e);
      }
    }
  }
}
