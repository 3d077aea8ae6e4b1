package dev.baton.tasks;

import static dev.baton.tasks.LocalModeTest.awaitCondition;
import static dev.baton.tasks.LocalModeTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@link TaskObserver} of a local-mode app: it sees both sides of every call. */
class LocalObserverTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();
  private final RecordingObserver observer = new RecordingObserver();
  private final TaskApp app = TaskApp.builder().timeSource(time).observer(observer).build();

  @AfterEach
  void close() {
    app.close();
  }

  private static TaskOptions retries(int attempts) {
    return TaskOptions.builder()
        .retry(new RetryPolicy(attempts, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1), 0.0))
        .build();
  }

  @Test
  void aSuccessIsSentStartedFinishedAndObservedOnceWithItsRunTimeAndLatency() throws Exception {
    app.register(
        "work",
        int.class,
        int.class,
        n -> {
          time.advance(Duration.ofMillis(250)); // the task takes 250 ms on the app's clock
          return n + 1;
        });
    app.allocate("work", 1, 0);

    Result<@Nullable Object> result = app.call("work", 1);

    assertThat(result.await(BOUND)).isEqualTo(2);
    assertThat(observer.lines())
        .containsExactly("sent", "started 1", "finished 1 SUCCEEDED", "call SUCCEEDED");
    assertThat(observer.seen()).allMatch(seen -> seen.key().equals(result.key()));
    assertThat(observer.only("sent").queue()).isEqualTo("work");
    assertThat(observer.only("finished").duration()).isEqualTo(Duration.ofMillis(250));
    assertThat(observer.only("call").duration()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void aRetryThenSuccessIsObservedPerAttemptAndTheLatencyCoversTheBackoffs() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    app.register(
        "flaky",
        int.class,
        int.class,
        n -> {
          if (attempts.incrementAndGet() < 3) {
            throw new IllegalStateException("not yet");
          }
          return n;
        });
    app.allocate("flaky", 1, 0);

    Result<@Nullable Object> result = app.call("flaky", retries(3), 7);
    awaitCondition(() -> attempts.get() == 1 && time.pendingTasks() == 1);
    time.advance(Duration.ofSeconds(1));
    awaitCondition(() -> attempts.get() == 2 && time.pendingTasks() == 1);
    time.advance(Duration.ofSeconds(2));

    assertThat(result.await(BOUND)).isEqualTo(7);
    assertThat(observer.lines())
        .containsExactly(
            "sent",
            "started 1",
            "finished 1 RETRYING TASK_FAILED",
            "started 2",
            "finished 2 RETRYING TASK_FAILED",
            "started 3",
            "finished 3 SUCCEEDED",
            "call SUCCEEDED");
    assertThat(observer.only("call").duration()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aFailureWithoutRetriesIsOneFailedAttemptAndAFailedCall() throws Exception {
    app.register(
        "boom",
        int.class,
        int.class,
        n -> {
          throw new IllegalArgumentException("bad " + n);
        });
    app.allocate("boom", 1, 0);

    Result<@Nullable Object> result = app.call("boom", 1);

    assertThat(failure(result).code()).isEqualTo(ErrorCode.TASK_FAILED);
    assertThat(observer.lines())
        .containsExactly(
            "sent", "started 1", "finished 1 FAILED TASK_FAILED", "call FAILED TASK_FAILED");
  }

  @Test
  void theLastFailedAttemptIsDeadLetteredOnceAndTheCallEndsDead() throws Exception {
    app.register(
        "always",
        int.class,
        int.class,
        n -> {
          throw new IllegalStateException("no");
        });
    app.allocate("always", 1, 0);

    Result<@Nullable Object> result = app.call("always", retries(2), 1);
    awaitCondition(() -> observer.size() == 3 && time.pendingTasks() == 1);
    time.advance(Duration.ofSeconds(1));

    assertThat(failure(result).code()).isEqualTo(ErrorCode.TASK_FAILED);
    assertThat(observer.lines())
        .containsExactly(
            "sent",
            "started 1",
            "finished 1 RETRYING TASK_FAILED",
            "started 2",
            "finished 2 DEAD_LETTERED TASK_FAILED",
            "dead TASK_FAILED",
            "call DEAD TASK_FAILED");
    assertThat(observer.only("dead").queue()).isEqualTo("always");
  }

  @Test
  void aCallAnsweredByAnEarlierCallWithItsIdempotencyKeyIsNotObservedAgain() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    app.register(
        "once",
        int.class,
        int.class,
        n -> {
          release.await();
          return n * 10;
        });
    app.allocate("once", 1, 0);
    TaskOptions keyed = TaskOptions.builder().idempotencyKey("order-7").build();

    Result<@Nullable Object> first = app.call("once", keyed, 7);
    Result<@Nullable Object> second = app.call("once", keyed, 7);
    release.countDown();

    assertThat(first.await(BOUND)).isEqualTo(70);
    assertThat(second.await(BOUND)).isEqualTo(70);
    assertThat(observer.lines())
        .containsExactly("sent", "started 1", "finished 1 SUCCEEDED", "call SUCCEEDED");
  }

  @Test
  void aCallOfAnUnknownTaskIsRefusedAndObservedAsAFailedCallOnly() throws Exception {
    Result<@Nullable Object> result = app.call("missing", 1);

    assertThat(failure(result).code()).isEqualTo(ErrorCode.UNKNOWN_TASK);
    assertThat(observer.lines()).containsExactly("call FAILED UNKNOWN_TASK");
  }

  @Test
  void aTimeoutIsObservedOnceByTheCallerAndAsTheStoppedAttemptByTheWorker() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    app.register(
        "slow",
        int.class,
        int.class,
        n -> {
          started.countDown();
          new CountDownLatch(1).await();
          return n;
        });
    app.allocate("slow", 1, 0);

    Result<@Nullable Object> result =
        app.call("slow", TaskOptions.builder().timeout(Duration.ofSeconds(5)).build(), 1);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    time.advance(Duration.ofSeconds(5));

    assertThat(failure(result).code()).isEqualTo(ErrorCode.TIMEOUT);
    awaitCondition(() -> observer.size() == 4);
    assertThat(observer.lines())
        .containsExactlyInAnyOrder(
            "sent", "started 1", "finished 1 FAILED TIMEOUT", "call FAILED TIMEOUT");
    assertThat(observer.only("call").duration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(observer.only("finished").duration()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aRevokedRunningCallIsObservedOnceAsRevoked() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    app.register(
        "long",
        int.class,
        int.class,
        n -> {
          started.countDown();
          new CountDownLatch(1).await();
          return n;
        });
    app.allocate("long", 1, 0);

    Result<@Nullable Object> result = app.call("long", 1);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(result.cancel()).isTrue();
    assertThat(result.cancel()).isFalse();

    assertThat(failure(result).code()).isEqualTo(ErrorCode.REVOKED);
    awaitCondition(() -> observer.size() == 4);
    assertThat(observer.lines())
        .containsExactlyInAnyOrder(
            "sent", "started 1", "finished 1 FAILED REVOKED", "call REVOKED REVOKED");
  }

  @Test
  void aCallStillQueuedWhenTheAppClosesIsObservedOnceAsShutdown() throws Exception {
    app.register("idle", int.class, int.class, n -> n); // no workers: it waits in its queue

    Result<@Nullable Object> result = app.call("idle", 1);
    app.close();

    assertThat(failure(result).code()).isEqualTo(ErrorCode.SHUTDOWN);
    assertThat(observer.lines()).containsExactly("sent", "call FAILED SHUTDOWN");
  }

  @Test
  void anObserverThatThrowsNeverFailsATaskAndIsReportedByOneGenericEvent() throws Exception {
    TaskObserver throwing =
        new TaskObserver() {
          @Override
          public void sent(TaskKey key, String queue, TraceParent trace) {
            throw new IllegalStateException("sent broke");
          }

          @Override
          public void attemptStarted(TaskKey key, int attempt, TraceParent trace) {
            throw new IllegalStateException("started broke");
          }

          @Override
          public void attemptFinished(
              TaskKey key,
              int attempt,
              AttemptOutcome outcome,
              @Nullable TaskError error,
              Duration took) {
            throw new IllegalStateException("finished broke");
          }

          @Override
          public void callFinished(
              TaskKey key, TaskState state, @Nullable TaskError error, Duration latency) {
            throw new IllegalStateException("call broke");
          }
        };
    List<TaskEvent> events = new CopyOnWriteArrayList<>();
    try (TaskApp broken = TaskApp.builder().timeSource(time).observer(throwing).build()) {
      broken.listen(EnumSet.allOf(EventOrigin.class), EventLevel.WARNING, events::add);
      broken.register("inc", int.class, int.class, n -> n + 1);
      broken.allocate("inc", 1, 0);

      assertThat(broken.call("inc", 1).await(BOUND)).isEqualTo(2);
      assertThat(broken.call("inc", 2).await(BOUND)).isEqualTo(3);

      awaitCondition(() -> !events.isEmpty());
      assertThat(events).hasSize(1);
      assertThat(events.getFirst().code()).isEqualTo(EventCode.GENERIC);
      assertThat(events.getFirst().level()).isEqualTo(EventLevel.WARNING);
      assertThat(events.getFirst().message()).contains("threw from sent");
      assertThat(events.getFirst().cause()).hasMessage("sent broke");
    }
  }

  @Test
  void anAppWithoutAnObserverRunsTasksAsBefore() throws Exception {
    try (TaskApp plain = TaskApp.builder().timeSource(time).build()) {
      plain.register("inc", int.class, int.class, n -> n + 1);
      plain.allocate("inc", 1, 0);

      assertThat(plain.call("inc", 1).await(BOUND)).isEqualTo(2);
      assertThat(observer.lines()).isEmpty(); // another app's observer hears nothing of it
    }
  }
}
