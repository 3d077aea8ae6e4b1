package dev.baton.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.Result;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskState;
import dev.baton.time.SystemTimeSource;
import java.net.URI;
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

/**
 * Reliability test 2 of issue 5: the RabbitMQ broker is restarted (graceful stop, then start on the
 * same ports and data directory) in the middle of a run of 5,000 tasks. The test starts a {@link
 * PrivateRabbitMq} node of its own and never touches the machine's shared one. Every call is
 * accepted (its task confirmed by the broker) before the restart. While the broker is down, calls
 * are made too: each either fails at send with the broker's "did not accept" error or completes
 * with its value; none hangs. After the restart the clients reconnect (a call is accepted within 10
 * s of the broker accepting connections again) and consuming resumes (a call completes within 10 s
 * of it; a consumer that silently stops after a reconnect fails here), every accepted call
 * completes with its value, and 20 calls made after the reconnect are accepted and complete too.
 * Every wait is bounded.
 */
class AmqpRestartTest {

  private static final int TASKS = 5_000;
  private static final int OUTAGE_TASKS = 5;
  private static final int LATER_TASKS = 20;
  private static final int WORKERS = 4;
  private static final int COMPLETED_BEFORE_RESTART = 1_000;
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final Duration RESUME_BOUND = Duration.ofSeconds(10);
  private static final Duration RECONNECT_PROBE_INTERVAL = Duration.ofMillis(100);
  private static final String SEND_FAILURE = "did not accept";

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final SystemTimeSource time = new SystemTimeSource();
  private final String name = "restart";

  AmqpRestartTest() {
    closeables.add(time);
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  @Test
  void restartingTheBrokerMidRunLosesNoAcceptedTaskAndConsumingResumes() throws Exception {
    PrivateRabbitMq rabbit = PrivateRabbitMq.start("restart");
    // closed last: the apps and adapters close against a running node
    closeables.add(rabbit);
    URI uri = rabbit.uri();

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
    // every call is accepted (SENT or later: the broker confirmed its task) before the restart
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
    rabbit.stop();
    long stopped = System.nanoTime();
    int completedWhileStopping = completed.get();
    assertThat(completedWhileStopping)
        .as("calls completed when the broker stopped (some must still be queued)")
        .isLessThan(TASKS);

    // calls while the broker is down: they may fail at send, with the broker's error, or (if
    // the producer's connection is back before the publish times out) complete
    List<Result<@Nullable Object>> outage = new ArrayList<>(OUTAGE_TASKS);
    for (int i = 0; i < OUTAGE_TASKS; i++) {
      outage.add(caller.call(name, TASKS + i));
    }
    rabbit.start();
    long back = System.nanoTime();

    // the caller's producer reconnects: probe with a call every 100 ms until one is accepted
    List<Result<@Nullable Object>> probes = new ArrayList<>();
    long acceptedAt = awaitReconnection(caller, probes, TASKS + OUTAGE_TASKS, back);
    List<Result<@Nullable Object>> later = new ArrayList<>(LATER_TASKS);
    int laterFirst = TASKS + OUTAGE_TASKS + probes.size();
    for (int i = 0; i < LATER_TASKS; i++) {
      later.add(caller.call(name, laterFirst + i));
    }

    long deadline = back + BOUND.toNanos();
    for (int i = 0; i < TASKS; i++) {
      assertThat(awaitValue(results.get(i), deadline, "accepted before the restart", rabbit))
          .as("result of call %d", i)
          .isEqualTo(2 * i);
    }
    int outageSendFailures = 0;
    for (int i = 0; i < OUTAGE_TASKS; i++) {
      if (failedAtSend(outage.get(i), deadline)) {
        outageSendFailures++;
      } else {
        assertThat(outage.get(i).await(Duration.ZERO))
            .as("result of call %d, made while the broker was down", TASKS + i)
            .isEqualTo(2 * (TASKS + i));
      }
    }
    int probeSendFailures = 0;
    for (int i = 0; i < probes.size(); i++) {
      int n = TASKS + OUTAGE_TASKS + i;
      if (failedAtSend(probes.get(i), deadline)) {
        probeSendFailures++;
      } else {
        assertThat(probes.get(i).await(Duration.ZERO))
            .as("result of call %d, made after the restart", n)
            .isEqualTo(2 * n);
      }
    }
    assertThat(probeSendFailures).as("probes that failed at send").isLessThan(probes.size());
    for (int i = 0; i < LATER_TASKS; i++) {
      int n = laterFirst + i;
      assertThat(awaitValue(later.get(i), deadline, "made after the reconnection", rabbit))
          .as("result of call %d", n)
          .isEqualTo(2 * n);
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
            "a call accepted before the restart completed after it (%d completed when it stopped)",
            completedWhileStopping)
        .isNotEqualTo(Long.MAX_VALUE);
    Duration resume = Duration.ofNanos(firstAfter - back);
    assertThat(resume)
        .as("time from the broker accepting connections again to the first call completed after it")
        .isLessThanOrEqualTo(RESUME_BOUND);
    Duration reconnect = Duration.ofNanos(acceptedAt - back);
    assertThat(reconnect)
        .as("time from the broker accepting connections again to a call accepted after it")
        .isLessThanOrEqualTo(RESUME_BOUND);
    String sendError =
        outage.stream()
            .flatMap(r -> r.error().stream())
            .map(TaskError::message)
            .findFirst()
            .orElse("none");
    System.out.printf(
        "restart test: completed at stop %d, after stop %d; stop took %d ms; broker down (stop"
            + " to accepting) %d ms; calls while down: %d, failed at send %d; first call"
            + " accepted %d ms after the broker was back (%d probes, %d failed at send); first"
            + " completion %d ms after; all %d done %d ms after, %d ms in all; a send error: %s%n",
        completedAtStop,
        completedWhileStopping,
        TimeUnit.NANOSECONDS.toMillis(stopped - stopping),
        TimeUnit.NANOSECONDS.toMillis(back - stopping),
        OUTAGE_TASKS,
        outageSendFailures,
        reconnect.toMillis(),
        probes.size(),
        probeSendFailures,
        resume.toMillis(),
        TASKS,
        TimeUnit.NANOSECONDS.toMillis(done - back),
        TimeUnit.NANOSECONDS.toMillis(done - start),
        sendError);
  }

  /**
   * Calls the task every 100 ms from {@code back} until a call is accepted (SENT or later), for at
   * most {@link #RESUME_BOUND} after {@code back}; returns when that call was accepted.
   */
  private long awaitReconnection(
      TaskApp caller, List<Result<@Nullable Object>> probes, int firstNumber, long back) {
    long deadline = back + RESUME_BOUND.toNanos();
    while (true) {
      Result<@Nullable Object> probe = caller.call(name, firstNumber + probes.size());
      probes.add(probe);
      long probeDeadline = System.nanoTime() + RECONNECT_PROBE_INTERVAL.toNanos();
      while (System.nanoTime() - probeDeadline < 0 && probe.state() == TaskState.PENDING) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
      }
      long now = System.nanoTime();
      TaskState state = probe.state();
      if (state != TaskState.PENDING && state != TaskState.FAILED) {
        return now;
      }
      if (now - deadline > 0) {
        throw new AssertionError(
            "no call accepted within "
                + RESUME_BOUND
                + " of the broker accepting connections again; "
                + probes.size()
                + " probes, the last "
                + state
                + " "
                + probe.error());
      }
      // a refused send fails at once: the next probe still waits for its turn
      while (System.nanoTime() - probeDeadline < 0) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
      }
    }
  }

  /**
   * Whether {@code result} failed at send with the broker's error ({@link ErrorCode#GENERIC}, "the
   * broker did not accept ..."); false if it completed. Fails the test if it does neither by the
   * deadline, or fails otherwise.
   */
  private static boolean failedAtSend(Result<@Nullable Object> result, long deadline)
      throws InterruptedException {
    try {
      var _ = result.await(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      return false;
    } catch (TimeoutException e) {
      throw new AssertionError(
          "call " + result.key() + " neither completed nor failed: " + result.state(), e);
    } catch (TaskFailedException e) {
      TaskError error =
          result.error().orElseThrow(() -> new AssertionError("failed without an error", e));
      assertThat(error.code()).as("error code of %s", result.key()).isEqualTo(ErrorCode.GENERIC);
      assertThat(error.message())
          .as("error of %s, which failed", result.key())
          .contains(SEND_FAILURE);
      return true;
    }
  }

  private @Nullable Object awaitValue(
      Result<@Nullable Object> result, long deadline, String what, PrivateRabbitMq rabbit)
      throws Exception {
    try {
      return result.await(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    } catch (TimeoutException e) {
      String queues;
      try {
        queues =
            rabbit.ctl(
                "list_queues", "name", "messages_ready", "messages_unacknowledged", "consumers");
      } catch (Exception | AssertionError d) {
        queues = "list_queues failed: " + d;
      }
      throw new AssertionError(
          "call "
              + result.key()
              + ", "
              + what
              + ", did not complete within "
              + BOUND
              + " of the restart; state "
              + result.state()
              + "; queues: "
              + queues,
          e);
    }
  }

  // ---- wiring ----

  private AmqpBroker broker(URI uri) {
    AmqpBroker broker = AmqpBroker.connect(uri, time);
    closeables.add(broker);
    return broker;
  }

  private AmqpBackend backend(URI uri) {
    AmqpBackend backend = AmqpBackend.connect(uri, time);
    closeables.add(backend);
    return backend;
  }

  /** An app that only runs tasks; closed before its adapters. */
  private TaskApp workerApp(URI uri) {
    AmqpBroker broker = broker(uri);
    AmqpBackend backend = backend(uri);
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    closeables.add(app);
    app.use(broker, Role.NAMED_CONSUMER);
    app.use(backend, Role.REPORTER);
    return app;
  }

  /** An app that only calls tasks; closed before its adapters. */
  private TaskApp callerApp(URI uri) {
    AmqpBroker broker = broker(uri);
    AmqpBackend backend = backend(uri);
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
}
