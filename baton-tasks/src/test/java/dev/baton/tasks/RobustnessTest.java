package dev.baton.tasks;

import static dev.baton.tasks.LocalModeTest.awaitCondition;
import static dev.baton.tasks.LocalModeTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** What misbehaving callers, subscribers, tasks and wire data cannot break. */
class RobustnessTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  @Test
  void aSubscriberThatThrowsOrWaitsInsideOnNextCannotHoldBackTheOutcome() throws Exception {
    try (TaskApp app = TaskApp.local()) {
      app.register("inc", int.class, int.class, n -> n + 1);
      TaskOptions monitored = TaskOptions.builder().monitorProgress(true).build();
      Result<@Nullable Object> thrown = app.call("inc", monitored, 1);
      thrown
          .reports()
          .subscribe(
              new Requesting(
                  report -> {
                    throw new IllegalStateException("subscriber bug");
                  }));
      Result<@Nullable Object> awaited = app.call("inc", monitored, 2);
      AtomicReference<@Nullable Object> seenInside = new AtomicReference<>();
      awaited
          .reports()
          .subscribe(
              new Requesting(
                  report -> {
                    if (report.isDone()) {
                      try {
                        seenInside.set(awaited.await(BOUND)); // must not deadlock the worker
                      } catch (Exception e) {
                        seenInside.set(e);
                      }
                    }
                  }));
      app.allocate("inc", 1, 0);

      assertThat(thrown.await(BOUND)).isEqualTo(2);
      assertThat(awaited.await(BOUND)).isEqualTo(3);
      awaitCondition(() -> Integer.valueOf(3).equals(seenInside.get()));
      assertThat(app.call("inc", 10).await(BOUND)).isEqualTo(11); // the worker survived
    }
  }

  @Test
  void closeFromAnInterruptedThreadStillFailsEveryQueuedCallWithShutdown() throws Exception {
    TaskApp app = TaskApp.local();
    app.register("a", int.class, int.class, n -> n);
    app.register("b", int.class, int.class, n -> n);
    List<Result<@Nullable Object>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(app.call("a", i));
      calls.add(app.call("b", i));
    }

    Thread.currentThread().interrupt();
    app.close();
    assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();

    for (Result<@Nullable Object> call : calls) {
      assertThat(failure(call).code()).isEqualTo(ErrorCode.SHUTDOWN);
    }
  }

  @Test
  void anAttemptThatIgnoresInterruptsStillLetsItsCallerHearShutdown() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TaskApp app = TaskApp.builder().shutdownGrace(Duration.ofMillis(50)).build();
    app.register(
        "stubborn",
        int.class,
        int.class,
        n -> {
          running.countDown();
          while (true) {
            try {
              if (release.await(10, TimeUnit.SECONDS)) {
                return n;
              }
            } catch (InterruptedException ignored) {
              // this task ignores interrupts on purpose
            }
          }
        });
    app.allocate("stubborn", 1, 0);
    Result<@Nullable Object> call = app.call("stubborn", 1);
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

    app.close();

    assertThat(failure(call).code()).isEqualTo(ErrorCode.SHUTDOWN);
    release.countDown();
  }

  @Test
  void callsSharingAnIdempotencyKeyInOneRemoteAppEachGetAnOutcome() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    try (InMemoryBroker broker = new InMemoryBroker(time);
        InMemoryBackend backend = new InMemoryBackend(time);
        TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build()) {
      app.use(broker);
      app.use(backend);
      AtomicInteger runs = new AtomicInteger();
      CountDownLatch gate = new CountDownLatch(1);
      app.register(
          "once",
          int.class,
          int.class,
          n -> {
            gate.await();
            return runs.incrementAndGet() * 100 + n;
          });
      app.allocate("once", 2, 0);
      TaskOptions keyed = TaskOptions.builder().idempotencyKey("k").build();

      Result<@Nullable Object> first = app.call("once", keyed, 1);
      Result<@Nullable Object> fireAndForget =
          app.call("once", keyed.toBuilder().ignoreReport(true).build(), 1);
      Result<@Nullable Object> cancelled = app.call("once", keyed, 1);
      assertThat(fireAndForget.await(BOUND)).isNull();
      assertThat(cancelled.cancel()).isTrue();
      gate.countDown();

      assertThat(first.await(BOUND)).isEqualTo(101);
      assertThat(runs).hasValue(1);
    }
  }

  @Test
  void aRevokedTaskWithRetriesIsNotDeadLettered() throws Exception {
    try (TaskApp app = TaskApp.local()) {
      CountDownLatch running = new CountDownLatch(1);
      app.register(
          "long",
          int.class,
          int.class,
          n -> {
            running.countDown();
            new CountDownLatch(1).await();
            return n;
          });
      app.allocate("long", 1, 0);
      TaskOptions retried =
          TaskOptions.builder().retry(RetryPolicy.exponential(3, Duration.ofSeconds(1))).build();

      Result<@Nullable Object> call = app.call("long", retried, 1);
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      call.cancel();
      awaitCondition(
          () ->
              app.inspection().orElseThrow().queues().stream()
                  .allMatch(queue -> queue.unacked() == 0));

      assertThat(call.state()).isEqualTo(TaskState.REVOKED);
      assertThat(app.inspection().orElseThrow().deadLetters(10)).isEmpty();
    }
  }

  @Test
  void aFailReportWithoutAnErrorFailsTheCallerWithDecode() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    try (InMemoryBroker broker = new InMemoryBroker(time);
        InMemoryBackend backend = new InMemoryBackend(time);
        TaskApp caller = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build()) {
      caller.use(broker);
      caller.use(backend);
      Result<@Nullable Object> call = caller.call("nobody", 1);

      ReportEnvelope broken = brokenFail(call.key(), time.now());
      var _ = backend.publish(broken, null);

      TaskError error = failure(call);
      assertThat(error.code()).isEqualTo(ErrorCode.DECODE);
      assertThat(error.message()).contains("carries no error");
    }
  }

  /** A report the wire allows but a worker never sends. */
  private static ReportEnvelope brokenFail(TaskKey key, Instant now) {
    return new ReportEnvelope(
        EnvelopeCodec.VERSION,
        key,
        ReportStatus.FAIL,
        1,
        0,
        null,
        null,
        null,
        now,
        now.plus(Duration.ofHours(1)));
  }

  /** A subscriber that requests everything and hands each report to {@code onReport}. */
  private static final class Requesting implements Flow.Subscriber<Report> {
    private final java.util.function.Consumer<Report> onReport;

    Requesting(java.util.function.Consumer<Report> onReport) {
      this.onReport = onReport;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Report item) {
      onReport.accept(item);
    }

    @Override
    public void onError(Throwable throwable) {}

    @Override
    public void onComplete() {}
  }
}
