package dev.baton.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.Report;
import dev.baton.tasks.Result;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.testkit.ChildJvm;
import dev.baton.time.SystemTimeSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
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

/**
 * Reliability test 1 of issue 5 against the real Redis server: a worker JVM ({@link
 * CrashingWorkerMain}, started by this test) is killed with SIGKILL while 2,000 tasks are queued or
 * running; a second worker, in this JVM, goes on. Every task completes with its value, each
 * caller's report stream carries exactly one final report, and the tasks that ran more than once
 * are at most the deliveries the killed worker held unsettled (its prefetch: the worker count of
 * its one {@code allocate} times its prefetch multiplier, which bounds its running and prefetched
 * tasks together). All brokers use a 2 s lease, so the killed worker's pending entries are
 * reclaimed quickly.
 */
class RedisWorkerCrashTest {

  private static final int TASKS = 2_000;
  private static final int CHILD_WORKERS = 4;
  private static final int LOCAL_WORKERS = 4;
  private static final int COMPLETED_BEFORE_KILL = 300;
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration BOUND = Duration.ofSeconds(60);

  private final String prefix =
      "wc" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ".";
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final SystemTimeSource time = new SystemTimeSource();
  private @Nullable ChildJvm child;

  RedisWorkerCrashTest() {
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
        RedisTests.deleteKeys(prefix);
      }
    }
  }

  @Test
  void killingAWorkerJvmLosesNoTaskAndRerunsAtMostItsUnsettledDeliveries() throws Exception {
    String name = prefix + "crash";
    ChildJvm worker = startChildWorker(name);
    worker.awaitReady(BOUND);

    RedisCommands<String, String> redis = recorder();
    TaskApp local = workerApp();
    local.register(
        name, int.class, int.class, n -> CrashingWorkerMain.execute(redis, prefix, "local", n));
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
    long ranInChild = ranBy(redis, "child");
    assertThat(ranInChild).as("executions in the killed worker JVM").isPositive();
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
    List<Long> executions = executionCounts(redis);
    List<Integer> rerun = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      long count = executions.get(i);
      assertThat(count).as("executions of task %d", i).isGreaterThanOrEqualTo(1);
      if (count > 1) {
        rerun.add(i);
      }
    }
    // the killed worker's one subscription held at most its prefetch of unsettled deliveries
    // (running and waiting together): only those can run again
    int prefetch = CHILD_WORKERS * CrashingWorkerMain.PREFETCH_MULTIPLIER;
    assertThat(rerun)
        .as("tasks executed more than once (killed worker's prefetch: %d)", prefetch)
        .hasSizeLessThanOrEqualTo(prefetch);
    for (int i : rerun) {
      assertThat(executions.get(i)).as("executions of re-run task %d", i).isEqualTo(2);
    }
    long total = executions.stream().mapToLong(Long::longValue).sum();
    assertThat(ranBy(redis, "child") + ranBy(redis, "local"))
        .as("executions counted per worker")
        .isEqualTo(total);
    System.out.printf(
        "completed at kill: %d; executions in the killed JVM: %d; tasks run twice: %s;"
            + " all completed %d ms after the kill%n",
        completedAtKill, ranInChild, rerun, drainMillis);
  }

  // ---- the child JVM ----

  private ChildJvm startChildWorker(String name) throws Exception {
    String uri = System.getenv("BATON_REDIS_URI");
    ChildJvm p =
        ChildJvm.start(
            CrashingWorkerMain.class,
            uri == null ? Map.of() : Map.of("BATON_REDIS_URI", uri),
            name,
            prefix,
            Long.toString(LEASE.toMillis()),
            Integer.toString(CHILD_WORKERS));
    child = p;
    return p;
  }

  // ---- wiring ----

  /** A connection of the test's own for recording and reading executions. */
  private RedisCommands<String, String> recorder() {
    RedisClient client = RedisClient.create(RedisURI.create(RedisTests.uri()));
    closeables.add(client::shutdown);
    StatefulRedisConnection<String, String> connection = client.connect();
    closeables.add(connection);
    return connection.sync();
  }

  private long ranBy(RedisCommands<String, String> redis, String who) {
    String value = redis.get(prefix + "ran:" + who);
    return value == null ? 0 : Long.parseLong(value);
  }

  private List<Long> executionCounts(RedisCommands<String, String> redis) {
    String[] keys = new String[TASKS];
    for (int i = 0; i < TASKS; i++) {
      keys[i] = prefix + "exec:" + i;
    }
    List<Long> counts = new ArrayList<>(TASKS);
    for (var kv : redis.mget(keys)) {
      counts.add(kv.hasValue() ? Long.parseLong(kv.getValue()) : 0L);
    }
    return counts;
  }

  private RedisBroker broker() {
    RedisBroker broker =
        RedisBroker.connect(RedisTests.uri(), time, LEASE, RedisBroker.DEFAULT_LIVENESS_WINDOW);
    closeables.add(broker);
    return broker;
  }

  private RedisBackend backend() {
    RedisBackend backend = RedisBackend.connect(RedisTests.uri(), time);
    closeables.add(backend);
    return backend;
  }

  /** An app that only runs tasks; closed before its adapters. */
  private TaskApp workerApp() {
    RedisBroker broker = broker();
    RedisBackend backend = backend();
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    closeables.add(app);
    app.use(broker, Role.NAMED_CONSUMER);
    app.use(backend, Role.REPORTER);
    return app;
  }

  /** An app that only calls tasks; closed before its adapters. */
  private TaskApp callerApp() {
    RedisBroker broker = broker();
    RedisBackend backend = backend();
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    closeables.add(app);
    app.use(broker, Role.PRODUCER);
    app.use(backend, Role.STORE);
    return app;
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
