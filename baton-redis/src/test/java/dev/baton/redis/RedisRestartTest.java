package dev.baton.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.Result;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskState;
import dev.baton.time.SystemTimeSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability test 2 of issue 5: the Redis server is restarted (graceful stop, then start on the
 * same port and data directory, with the append-only file on and fsynced on every write) in the
 * middle of a run of 5,000 tasks. The test starts a private {@code redis-server} of its own, on a
 * free loopback port with a temporary directory, and never touches the machine's shared server.
 * Every call is accepted before the restart; after it, the clients reconnect and consuming resumes
 * (a call completes within 10 s of the server answering {@code PING} again), every call completes
 * with its value, and 20 calls made after the restart are accepted and complete too. Every wait is
 * bounded.
 */
class RedisRestartTest {

  private static final int TASKS = 5_000;
  private static final int LATER_TASKS = 20;
  private static final int WORKERS = 4;
  private static final int COMPLETED_BEFORE_RESTART = 1_000;
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final Duration RESUME_BOUND = Duration.ofSeconds(10);

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final SystemTimeSource time = new SystemTimeSource();
  private @Nullable PrivateRedis server;
  private int port;
  private @TempDir Path dir;

  RedisRestartTest() {
    closeables.add(time);
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      for (AutoCloseable c : closeables.reversed()) {
        c.close();
      }
    } finally {
      PrivateRedis p = server;
      if (p != null) {
        p.stop();
      }
    }
  }

  @Test
  void restartingTheServerMidRunLosesNoAcceptedTaskAndConsumingResumes() throws Exception {
    port = PrivateRedis.freePort();
    PrivateRedis redis =
        new PrivateRedis(
            dir,
            List.of(
                "--port",
                Integer.toString(port),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                ""));
    server = redis;
    redis.start(() -> PrivateRedis.answersPing(port));
    URI uri = URI.create("redis://127.0.0.1:" + port);
    String name = "restart";

    TaskApp worker = workerApp(uri);
    worker.register(
        name,
        int.class,
        int.class,
        n -> {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
          return n * 2;
        });
    worker.allocate(name, WORKERS, 0);
    TaskApp caller = callerApp(uri);

    long start = System.nanoTime();
    AtomicInteger completed = new AtomicInteger();
    AtomicLongArray completedAt = new AtomicLongArray(TASKS);
    List<Result<@Nullable Object>> results = new ArrayList<>(TASKS);
    for (int i = 0; i < TASKS; i++) {
      Result<@Nullable Object> result = caller.call(name, i);
      int index = i;
      var _ =
          result
              .toCompletableFuture()
              .whenComplete(
                  (v, e) -> {
                    completedAt.set(index, System.nanoTime());
                    completed.incrementAndGet();
                  });
      results.add(result);
    }
    // every call is accepted (SENT or later) before the server stops
    awaitCondition(
        () -> results.stream().noneMatch(r -> r.state() == TaskState.PENDING),
        () -> "acceptance of all " + TASKS + " calls");
    assertThat(results)
        .as("calls that failed before the restart")
        .filteredOn(r -> r.state() == TaskState.FAILED)
        .isEmpty();
    awaitCondition(
        () -> completed.get() >= COMPLETED_BEFORE_RESTART,
        () -> COMPLETED_BEFORE_RESTART + " completed calls; completed: " + completed.get());

    long stopping = System.nanoTime();
    int completedAtStop = completed.get();
    redis.stop();
    long stopped = System.nanoTime();
    int completedWhileStopping = completed.get();
    assertThat(completedWhileStopping)
        .as("calls completed when the server stopped (some must still be queued)")
        .isLessThan(TASKS);
    redis.start(() -> PrivateRedis.answersPing(port));
    long back = System.nanoTime();

    // the caller's producer reconnected too: calls made after the restart are accepted and run
    List<Result<@Nullable Object>> later = new ArrayList<>(LATER_TASKS);
    for (int i = 0; i < LATER_TASKS; i++) {
      later.add(caller.call(name, TASKS + i));
    }

    long deadline = back + BOUND.toNanos();
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
                + " of the restart; completed: "
                + completed.get()
                + " of "
                + TASKS
                + "; "
                + diagnose(results.get(i)),
            e);
      }
      assertThat(value).as("result of call %d", i).isEqualTo(2 * i);
    }
    for (int i = 0; i < LATER_TASKS; i++) {
      long left = Math.max(1, deadline - System.nanoTime());
      Object value;
      try {
        value = later.get(i).await(Duration.ofNanos(left));
      } catch (TimeoutException e) {
        throw new AssertionError(
            "call " + (TASKS + i) + ", made after the restart, did not complete within " + BOUND,
            e);
      }
      assertThat(value).as("result of call %d", TASKS + i).isEqualTo(2 * (TASKS + i));
    }
    long done = System.nanoTime();

    long firstAfter = Long.MAX_VALUE;
    for (int i = 0; i < TASKS; i++) {
      long at = completedAt.get(i);
      if (at - back >= 0 && at < firstAfter) {
        firstAfter = at;
      }
    }
    assertThat(firstAfter)
        .as(
            "a call completed after the server was back (%d completed when it stopped)",
            completedWhileStopping)
        .isNotEqualTo(Long.MAX_VALUE);
    long resumeMillis = TimeUnit.NANOSECONDS.toMillis(firstAfter - back);
    assertThat(Duration.ofMillis(resumeMillis))
        .as("time from the server answering PING again to the first call completed after it")
        .isLessThanOrEqualTo(RESUME_BOUND);
    System.out.printf(
        "restart test: completed at stop %d, after stop %d; stop took %d ms; server down"
            + " (stop to PING) %d ms; first completion %d ms after PING; all %d done %d ms"
            + " after PING, %d ms in all%n",
        completedAtStop,
        completedWhileStopping,
        TimeUnit.NANOSECONDS.toMillis(stopped - stopping),
        TimeUnit.NANOSECONDS.toMillis(back - stopping),
        resumeMillis,
        TASKS,
        TimeUnit.NANOSECONDS.toMillis(done - back),
        TimeUnit.NANOSECONDS.toMillis(done - start));
  }

  /** What the private server holds for a call that did not complete: its reports, the queue. */
  private String diagnose(Result<@Nullable Object> result) {
    RedisClient client = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + port));
    try (StatefulRedisConnection<byte[], byte[]> connection =
        client.connect(ByteArrayCodec.INSTANCE)) {
      var redis = connection.sync();
      List<String> reports = new ArrayList<>();
      for (byte[] r : redis.lrange(Keys.reports(result.key()), 0, -1)) {
        reports.add(new String(r, UTF_8).replaceAll("[^\\x20-\\x7e]", "."));
      }
      return "state "
          + result.state()
          + ", reports in Redis "
          + reports
          + ", stream length "
          + redis.xlen(Keys.stream("restart", 0))
          + ", pending "
          + redis.xpending(Keys.stream("restart", 0), Keys.GROUP)
          + ", delayed "
          + redis.zcard(Keys.delayed("restart"));
    } catch (RuntimeException e) {
      return "diagnosis failed: " + e;
    } finally {
      client.shutdown();
    }
  }

  // ---- wiring ----

  private RedisBroker broker(URI uri) {
    RedisBroker broker = RedisBroker.connect(uri, time, LEASE, RedisBroker.DEFAULT_LIVENESS_WINDOW);
    closeables.add(broker);
    return broker;
  }

  private RedisBackend backend(URI uri) {
    RedisBackend backend = RedisBackend.connect(uri, time);
    closeables.add(backend);
    return backend;
  }

  /** An app that only runs tasks; closed before its adapters. */
  private TaskApp workerApp(URI uri) {
    RedisBroker broker = broker(uri);
    RedisBackend backend = backend(uri);
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    closeables.add(app);
    app.use(broker, Role.NAMED_CONSUMER);
    app.use(backend, Role.REPORTER);
    return app;
  }

  /** An app that only calls tasks; closed before its adapters. */
  private TaskApp callerApp(URI uri) {
    RedisBroker broker = broker(uri);
    RedisBackend backend = backend(uri);
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    closeables.add(app);
    app.use(broker, Role.PRODUCER);
    app.use(backend, Role.STORE);
    return app;
  }

  // ---- bounded waits ----

  private static void awaitCondition(BooleanSupplier done, Supplier<String> what) {
    Duration bound = BOUND;
    long deadline = System.nanoTime() + bound.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what.get() + " within " + bound);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }
}
