package dev.baton.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalModeTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();
  private final TaskApp app = TaskApp.builder().timeSource(time).build();

  @AfterEach
  void close() {
    app.close();
  }

  @Test
  void aRegisteredLambdaReturnsItsValueToTheCaller() throws Exception {
    app.register("add", int.class, int.class, int.class, (a, b) -> a + b);
    app.allocate("add", 2, 0);

    assertThat(app.call("add", 1, 2).await(BOUND)).isEqualTo(3);
  }

  @Test
  void monitoredCallsReportSentProgressThenSuccess() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    app.register(
        "inc",
        int.class,
        int.class,
        n -> {
          seen.set(n);
          return n + 1;
        });
    app.allocate("inc", 1, 1);

    Result<@Nullable Object> result =
        app.call("inc", TaskOptions.builder().monitorProgress(true).build(), 5);

    List<Report> reports = Reports.of(result, BOUND);
    assertThat(Reports.statuses(reports))
        .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS);
    assertThat(reports.getLast().value()).isEqualTo(6);
    assertThat(reports).allMatch(report -> report.key().equals(result.key()));
    assertThat(seen).hasValue(5);
    assertThat(result.state()).isEqualTo(TaskState.SUCCEEDED);
  }

  @Test
  void withoutMonitorProgressOnlyTheFinalReportArrives() throws Exception {
    app.register("inc", int.class, int.class, n -> n + 1);
    app.allocate("inc", 1, 0);

    assertThat(Reports.statuses(Reports.of(app.call("inc", 1), BOUND)))
        .containsExactly(ReportStatus.SUCCESS);
  }

  @Test
  void anUnknownTaskFailsNamingIt() {
    Result<@Nullable Object> result = app.call("nope", 1);

    assertThatThrownBy(() -> result.await(BOUND))
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TASK);
              assertThat(e.error().message()).contains("'nope'");
            });
  }

  @Test
  void wrongArgumentCountOrTypeFailsNamingTheParameter() throws Exception {
    app.register("add", int.class, int.class, int.class, (a, b) -> a + b);
    app.allocate("add", 1, 0);

    assertThat(failure(app.call("add", 1)).code()).isEqualTo(ErrorCode.BAD_ARGUMENTS);
    TaskError wrongType = failure(app.call("add", 1, "two"));
    assertThat(wrongType.code()).isEqualTo(ErrorCode.BAD_ARGUMENTS);
    assertThat(wrongType.message()).contains("int").contains("String");
  }

  @Test
  void aThrowingTaskFailsWithTheExceptionClassAndMessage() throws Exception {
    app.register(
        "boom",
        String.class,
        String.class,
        s -> {
          throw new IllegalStateException("bad " + s);
        });
    app.allocate("boom", 1, 0);

    TaskError error = failure(app.call("boom", "input"));
    assertThat(error.code()).isEqualTo(ErrorCode.TASK_FAILED);
    assertThat(error.message()).contains("IllegalStateException").contains("bad input");
  }

  @Test
  void aStackOverflowIsAPanicAndTheWorkerKeepsRunning() throws Exception {
    app.register("deep", int.class, int.class, LocalModeTest::recurse);
    app.register("inc", int.class, int.class, n -> n + 1);
    app.allocateQueue("shared", 1);
    TaskOptions shared = TaskOptions.builder().queue("shared").build();

    assertThat(failure(app.call("deep", shared, 1)).code()).isEqualTo(ErrorCode.PANIC);
    assertThat(app.call("inc", shared, 1).await(BOUND)).isEqualTo(2);
  }

  @SuppressWarnings("InfiniteRecursion") // the point: a StackOverflowError inside a task
  private static int recurse(int n) {
    return recurse(n + 1) + 1;
  }

  @Test
  void callbacksRunExactlyOnceWhetherRegisteredBeforeOrAfterCompletion() throws Exception {
    app.register("inc", int.class, int.class, n -> n + 1);
    app.allocate("inc", 1, 0);
    AtomicInteger before = new AtomicInteger();
    AtomicInteger after = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();

    Result<@Nullable Object> result = app.call("inc", 1);
    result.onSuccess(value -> before.incrementAndGet());
    result.onFailure(error -> failures.incrementAndGet());
    result.await(BOUND);
    result.onSuccess(value -> after.incrementAndGet());
    result.await(BOUND);

    // One registered before completion runs on the completing thread, possibly just after
    // await returns; one registered after runs at once, on this thread.
    awaitCondition(() -> before.get() == 1);
    assertThat(after).hasValue(1);
    assertThat(before).hasValue(1);
    assertThat(failures).hasValue(0);
  }

  @Test
  void failedAttemptsAreRetriedWithBackoffUntilOneSucceeds() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    app.register(
        "flaky",
        int.class,
        int.class,
        n -> {
          if (attempts.incrementAndGet() < 3) {
            throw new IllegalStateException("not yet");
          }
          return n * 10;
        });
    app.allocate("flaky", 1, 0);
    TaskOptions options =
        TaskOptions.builder()
            .monitorProgress(true)
            .retry(new RetryPolicy(3, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1), 0.0))
            .build();

    Result<@Nullable Object> result = app.call("flaky", options, 4);
    awaitCondition(() -> attempts.get() == 1 && time.pendingTasks() == 1);
    time.advance(Duration.ofMillis(999));
    assertThat(attempts).hasValue(1);
    time.advance(Duration.ofMillis(1));
    awaitCondition(() -> attempts.get() == 2 && time.pendingTasks() == 1);
    time.advance(Duration.ofSeconds(2)); // the second backoff doubles

    assertThat(result.await(BOUND)).isEqualTo(40);
    assertThat(Reports.statuses(Reports.of(result, BOUND)))
        .containsExactly(
            ReportStatus.SENT,
            ReportStatus.PROGRESS,
            ReportStatus.RETRY,
            ReportStatus.PROGRESS,
            ReportStatus.RETRY,
            ReportStatus.PROGRESS,
            ReportStatus.SUCCESS);
  }

  @Test
  void theLastFailedAttemptIsDeadLetteredAndCanBeRetriedFromInspection() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    app.register(
        "always",
        int.class,
        int.class,
        n -> {
          attempts.incrementAndGet();
          throw new IllegalStateException("no");
        });
    app.allocate("always", 1, 0);
    TaskOptions options =
        TaskOptions.builder()
            .retry(new RetryPolicy(2, Duration.ofSeconds(1), 1.0, Duration.ofSeconds(1), 0.0))
            .build();

    Result<@Nullable Object> result = app.call("always", options, 1);
    awaitCondition(() -> attempts.get() == 1 && time.pendingTasks() == 1);
    time.advance(Duration.ofSeconds(1));

    assertThat(failure(result).code()).isEqualTo(ErrorCode.TASK_FAILED);
    assertThat(result.state()).isEqualTo(TaskState.DEAD);
    var inspection = app.inspection().orElseThrow();
    assertThat(inspection.deadLetters(10)).hasSize(1);
    String id = inspection.deadLetters(10).getFirst().id();
    assertThat(inspection.retryDeadLetter(id)).isTrue();
    // The retried task runs with its policy again: a first attempt, a backoff, a last attempt.
    awaitCondition(() -> attempts.get() == 3 && time.pendingTasks() == 1);
    time.advance(Duration.ofSeconds(1));
    awaitCondition(() -> attempts.get() == 4 && inspection.deadLetters(10).size() == 1);
    assertThat(inspection.discardDeadLetter(inspection.deadLetters(10).getFirst().id())).isTrue();
    assertThat(inspection.deadLetters(10)).isEmpty();
  }

  @Test
  void aTimeoutFailsTheCallerInterruptsTheRunningAttemptAndEmitsAnEvent() throws Exception {
    List<TaskEvent> timeouts = new java.util.concurrent.CopyOnWriteArrayList<>();
    app.listen(EnumSet.of(EventOrigin.CALLER), EventLevel.WARNING, timeouts::add);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    app.register(
        "slow",
        int.class,
        int.class,
        n -> {
          started.countDown();
          try {
            new CountDownLatch(1).await();
          } catch (InterruptedException e) {
            interrupted.countDown();
            throw e;
          }
          return n;
        });
    app.allocate("slow", 1, 0);

    Result<@Nullable Object> result =
        app.call("slow", TaskOptions.builder().timeout(Duration.ofSeconds(5)).build(), 1);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    time.advance(Duration.ofSeconds(5));

    assertThat(failure(result).code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    awaitCondition(() -> !timeouts.isEmpty());
    assertThat(timeouts.getFirst().key()).isEqualTo(result.key());
  }

  @Test
  void aCountdownHoldsTheTaskUntilItsTime() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    app.register("tick", int.class, int.class, n -> runs.incrementAndGet());
    app.allocate("tick", 1, 0);

    Result<@Nullable Object> result =
        app.call("tick", TaskOptions.builder().countdown(Duration.ofMinutes(1)).build(), 1);
    time.advance(Duration.ofSeconds(59));
    assertThat(app.inspection().orElseThrow().queues())
        .anySatisfy(queue -> assertThat(queue.delayed()).isEqualTo(1));
    assertThat(runs).hasValue(0);
    time.advance(Duration.ofSeconds(1));

    assertThat(result.await(BOUND)).isEqualTo(1);
  }

  @Test
  void higherPrioritiesRunFirstWithinAQueue() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch blocking = new CountDownLatch(1);
    List<Integer> order = new ArrayList<>();
    app.register(
        "record",
        int.class,
        int.class,
        n -> {
          if (n < 0) {
            blocking.countDown();
            gate.await();
          }
          synchronized (order) {
            order.add(n);
          }
          return n;
        });
    app.allocate("record", 1, 0);
    Result<@Nullable Object> blocker = app.call("record", -1);
    assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
    List<Result<@Nullable Object>> calls = new ArrayList<>();
    for (int priority : new int[] {1, 9, 5, 0}) {
      calls.add(app.call("record", TaskOptions.builder().priority(priority).build(), priority));
    }
    gate.countDown();
    blocker.await(BOUND);
    for (Result<@Nullable Object> call : calls) {
      call.await(BOUND);
    }

    assertThat(order).containsExactly(-1, 9, 5, 1, 0);
  }

  @Test
  void aRevokedCallFailsAtOnceAndNeverRuns() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    app.register("tick", int.class, int.class, n -> runs.incrementAndGet());

    Result<@Nullable Object> result = app.call("tick", 1);
    assertThat(result.cancel()).isTrue();
    assertThat(result.cancel()).isFalse();
    app.allocate("tick", 1, 0);
    assertThat(app.call("tick", 2).await(BOUND)).isEqualTo(1);

    assertThat(failure(result).code()).isEqualTo(ErrorCode.REVOKED);
    assertThat(result.state()).isEqualTo(TaskState.REVOKED);
    assertThat(runs).hasValue(1);
  }

  @Test
  void aSecondCallWithTheSameIdempotencyKeyGetsTheFirstOutcomeWithoutRunningAgain()
      throws Exception {
    AtomicInteger runs = new AtomicInteger();
    app.register("charge", int.class, int.class, n -> runs.incrementAndGet() * 100 + n);
    app.allocate("charge", 1, 0);
    TaskOptions once = TaskOptions.builder().idempotencyKey("order-42").build();

    Object first = app.call("charge", once, 7).await(BOUND);
    Result<@Nullable Object> second = app.call("charge", once, 7);

    assertThat(second.await(BOUND)).isEqualTo(first);
    assertThat(runs).hasValue(1);
  }

  @Test
  void aTaskNotStartedBeforeItsExpiryFailsAsExpired() throws Exception {
    app.register("late", int.class, int.class, n -> n);
    Result<@Nullable Object> result =
        app.call("late", TaskOptions.builder().resultExpiry(Duration.ofMinutes(1)).build(), 1);
    time.advance(Duration.ofMinutes(2));
    app.allocate("late", 1, 0);

    assertThat(failure(result).code()).isEqualTo(ErrorCode.EXPIRED);
    assertThat(result.state()).isEqualTo(TaskState.EXPIRED);
  }

  @Test
  void progressReportedInsideATaskReachesTheCaller() throws Exception {
    app.register(
        "work",
        int.class,
        int.class,
        n -> {
          TaskContext context = TaskContext.current().orElseThrow();
          context.progress(50, "halfway");
          return n;
        });
    app.allocate("work", 1, 0);

    Result<@Nullable Object> result =
        app.call("work", TaskOptions.builder().monitorProgress(true).build(), 1);
    List<Report> reports = Reports.of(result, BOUND);

    assertThat(reports)
        .anySatisfy(report -> assertThat(report.progress()).isEqualTo(new Progress(50, "halfway")));
  }

  @Test
  void ignoreReportCompletesOnceQueuedAndStillRunsTheTask() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    app.register(
        "fire",
        int.class,
        int.class,
        n -> {
          ran.countDown();
          return n;
        });
    app.allocate("fire", 1, 0);

    Result<@Nullable Object> result =
        app.call("fire", TaskOptions.builder().ignoreReport(true).build(), 1);

    assertThat(result.await(BOUND)).isNull();
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void closeFailsEveryPendingCallWithShutdown() throws Exception {
    app.register("never", int.class, int.class, n -> n);
    Result<@Nullable Object> pending = app.call("never", 1);

    app.close();

    assertThat(failure(pending).code()).isEqualTo(ErrorCode.SHUTDOWN);
    assertThat(failure(app.call("never", 2)).code()).isEqualTo(ErrorCode.SHUTDOWN);
  }

  @Test
  void registrationRefusesDuplicatesAndUnsupportedTypes() {
    app.register("add", int.class, int.class, int.class, (a, b) -> a + b);

    assertThatThrownBy(() -> app.register("add", int.class, int.class, n -> n))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("'add'");
    assertThatThrownBy(() -> app.register("anything", Object.class, int.class, o -> 1))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("anything");
    assertThatThrownBy(() -> app.allocate("missing", 1, 0))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("'missing'");
  }

  @Test
  void localModeAttachesNoAdapters() {
    assertThatThrownBy(() -> app.use(new Object()))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("TaskApp.remote()");
  }

  @Test
  void listenersReceiveEventsAtTheirLevelAndAboveAndSlowOnesCountWhatTheyDrop() throws Exception {
    List<TaskEvent> infos = new ArrayList<>();
    CountDownLatch got = new CountDownLatch(1);
    EventSubscription info =
        app.listen(
            EnumSet.of(EventOrigin.WORKER),
            EventLevel.INFO,
            event -> {
              synchronized (infos) {
                infos.add(event);
              }
              got.countDown();
            });
    CountDownLatch release = new CountDownLatch(1);
    EventSubscription slow =
        app.listen(
            EnumSet.of(EventOrigin.WORKER),
            EventLevel.DEBUG,
            event -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    EventSubscription errorsOnly =
        app.listen(EnumSet.of(EventOrigin.WORKER), EventLevel.ERROR, event -> {});
    AtomicInteger attempts = new AtomicInteger();
    app.register(
        "flaky",
        int.class,
        int.class,
        n -> {
          attempts.incrementAndGet();
          throw new IllegalStateException("no");
        });
    app.allocate("flaky", 1, 0);
    TaskOptions retries =
        TaskOptions.builder()
            .retry(new RetryPolicy(2, Duration.ofHours(1), 1.0, Duration.ofHours(1), 0.0))
            .build();

    for (int i = 0; i < 1_100; i++) {
      app.call("flaky", retries, i); // each first attempt fails: one RETRY_SCHEDULED event
    }
    awaitCondition(() -> attempts.get() == 1_100);

    assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();
    synchronized (infos) {
      assertThat(infos.getFirst().code()).isEqualTo(EventCode.RETRY_SCHEDULED);
    }
    awaitCondition(() -> slow.dropped() > 0);
    assertThat(errorsOnly.delivered()).isZero();
    release.countDown();
    app.stopListen(info.id());
    assertThatThrownBy(() -> app.stopListen(info.id()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static TaskError failure(Result<?> result) throws Exception {
    try {
      result.await(BOUND);
    } catch (TaskFailedException e) {
      return e.error();
    }
    throw new AssertionError("expected " + result.key() + " to fail");
  }

  static void awaitCondition(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + BOUND);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }
}
