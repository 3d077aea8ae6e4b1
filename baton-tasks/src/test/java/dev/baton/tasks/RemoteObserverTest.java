package dev.baton.tasks;

import static dev.baton.tasks.LocalModeTest.awaitCondition;
import static dev.baton.tasks.LocalModeTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link TaskObserver}s of a remote caller and a remote worker, and trace context across the
 * in-memory broker (bytes on the "wire"): the caller sees {@code sent} and {@code callFinished},
 * the worker the attempts and dead letters.
 */
class RemoteObserverTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryBroker broker = new InMemoryBroker(time);
  private final InMemoryBackend backend = new InMemoryBackend(time);
  private final List<TaskApp> apps = new ArrayList<>();
  private final RecordingObserver callerSaw = new RecordingObserver();
  private final RecordingObserver workerSaw = new RecordingObserver();
  private final TaskApp worker = app(workerSaw);
  private final TaskApp caller = app(callerSaw);

  private TaskApp app(TaskObserver observer) {
    TaskApp app =
        TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).observer(observer).build();
    app.use(broker);
    app.use(backend);
    apps.add(app);
    return app;
  }

  @AfterEach
  void close() {
    apps.forEach(TaskApp::close);
    broker.close();
    backend.close();
  }

  private static TaskOptions retries(int attempts) {
    return TaskOptions.builder()
        .retry(new RetryPolicy(attempts, Duration.ofSeconds(3), 1.0, Duration.ofSeconds(3), 0.0))
        .build();
  }

  private void awaitCounts(int callerCallbacks, int workerCallbacks) throws InterruptedException {
    awaitCondition(
        () -> callerSaw.size() >= callerCallbacks && workerSaw.size() >= workerCallbacks);
    assertThat(callerSaw.size())
        .as("caller callbacks %s", callerSaw.lines())
        .isEqualTo(callerCallbacks);
    assertThat(workerSaw.size())
        .as("worker callbacks %s", workerSaw.lines())
        .isEqualTo(workerCallbacks);
  }

  @Test
  void aSuccessIsSentAndFinishedOnTheCallerAndStartedAndFinishedOnTheWorker() throws Exception {
    worker.register(
        "work",
        int.class,
        int.class,
        n -> {
          time.advance(Duration.ofMillis(40));
          return n * 2;
        });
    worker.allocate("work", 1, 0);

    Result<Integer> result = caller.call("work", int.class, null, 21);

    assertThat(result.await(BOUND)).isEqualTo(42);
    awaitCounts(2, 2);
    assertThat(callerSaw.lines()).containsExactlyInAnyOrder("sent", "call SUCCEEDED");
    assertThat(workerSaw.lines()).containsExactly("started 1", "finished 1 SUCCEEDED");
    assertThat(workerSaw.only("finished").duration()).isEqualTo(Duration.ofMillis(40));
    assertThat(callerSaw.only("call").duration()).isEqualTo(Duration.ofMillis(40));
    assertThat(callerSaw.only("sent").queue()).isEqualTo("work");
  }

  @Test
  void aRetryThenSuccessIsTwoAttemptsOnTheWorkerAndOneCallOnTheCaller() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    worker.register(
        "flaky",
        int.class,
        int.class,
        n -> {
          if (attempts.incrementAndGet() == 1) {
            throw new IllegalStateException("first fails");
          }
          return n;
        });
    worker.allocate("flaky", 1, 0);

    Result<@Nullable Object> result = caller.call("flaky", retries(2), 9);
    awaitCondition(() -> broker.queues().stream().anyMatch(queue -> queue.delayed() == 1));
    time.advance(Duration.ofSeconds(3));

    assertThat(result.await(BOUND)).isEqualTo(9);
    awaitCounts(2, 4);
    assertThat(workerSaw.lines())
        .containsExactly(
            "started 1", "finished 1 RETRYING TASK_FAILED", "started 2", "finished 2 SUCCEEDED");
    assertThat(callerSaw.lines()).containsExactlyInAnyOrder("sent", "call SUCCEEDED");
    assertThat(callerSaw.only("call").duration()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aFailureWithoutRetriesIsOneFailedAttemptAndAFailedCall() throws Exception {
    worker.register(
        "boom",
        int.class,
        int.class,
        n -> {
          throw new IllegalArgumentException("bad");
        });
    worker.allocate("boom", 1, 0);

    assertThat(failure(caller.call("boom", 1)).code()).isEqualTo(ErrorCode.TASK_FAILED);
    awaitCounts(2, 2);
    assertThat(workerSaw.lines()).containsExactly("started 1", "finished 1 FAILED TASK_FAILED");
    assertThat(callerSaw.lines()).containsExactlyInAnyOrder("sent", "call FAILED TASK_FAILED");
  }

  @Test
  void theLastFailedAttemptIsDeadLetteredOnceByTheWorker() throws Exception {
    worker.register(
        "always",
        int.class,
        int.class,
        n -> {
          throw new IllegalStateException("no");
        });
    worker.allocate("always", 1, 0);

    Result<@Nullable Object> result = caller.call("always", retries(2), 1);
    awaitCondition(() -> broker.queues().stream().anyMatch(queue -> queue.delayed() == 1));
    time.advance(Duration.ofSeconds(3));

    assertThat(failure(result).code()).isEqualTo(ErrorCode.TASK_FAILED);
    awaitCounts(2, 5);
    assertThat(workerSaw.lines())
        .containsExactly(
            "started 1",
            "finished 1 RETRYING TASK_FAILED",
            "started 2",
            "finished 2 DEAD_LETTERED TASK_FAILED",
            "dead TASK_FAILED");
    assertThat(workerSaw.only("dead").queue()).isEqualTo("always");
    assertThat(callerSaw.lines()).containsExactlyInAnyOrder("sent", "call FAILED TASK_FAILED");
    assertThat(broker.deadLetters(10)).hasSize(1);
  }

  @Test
  void anUnknownTaskIsDeadLetteredByTheWorkerWithoutAnAttempt() throws Exception {
    worker.register("known", int.class, int.class, n -> n);
    worker.allocateQueue("stray", 1);

    Result<@Nullable Object> result = caller.call("stray", 1); // queue "stray", no such task

    assertThat(failure(result).code()).isEqualTo(ErrorCode.UNKNOWN_TASK);
    awaitCounts(2, 1);
    assertThat(workerSaw.lines()).containsExactly("dead UNKNOWN_TASK");
    assertThat(workerSaw.only("dead").key()).isEqualTo(result.key());
    assertThat(callerSaw.lines()).containsExactlyInAnyOrder("sent", "call FAILED UNKNOWN_TASK");
  }

  @Test
  void aTimeoutEndsTheCallOnceAndTheAttemptAsFailed() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    worker.register(
        "slow",
        int.class,
        int.class,
        n -> {
          started.countDown();
          new CountDownLatch(1).await();
          return n;
        });
    worker.allocate("slow", 1, 0);

    Result<@Nullable Object> result =
        caller.call("slow", TaskOptions.builder().timeout(Duration.ofSeconds(5)).build(), 1);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    time.advance(Duration.ofSeconds(5));

    assertThat(failure(result).code()).isEqualTo(ErrorCode.TIMEOUT);
    awaitCounts(2, 2);
    assertThat(callerSaw.lines()).containsExactlyInAnyOrder("sent", "call FAILED TIMEOUT");
    assertThat(callerSaw.only("call").duration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(workerSaw.lines()).containsExactly("started 1", "finished 1 FAILED TIMEOUT");
  }

  @Test
  void aCallRevokedBeforeAWorkerTookItIsRevokedOnceAndNeverAttempted() throws Exception {
    worker.register("later", int.class, int.class, n -> n);

    Result<@Nullable Object> result = caller.call("later", 1);
    awaitCondition(() -> callerSaw.size() == 1); // sent
    assertThat(result.cancel()).isTrue();
    assertThat(failure(result).code()).isEqualTo(ErrorCode.REVOKED);
    worker.allocate("later", 1, 0);

    // The worker takes the task, finds it revoked and acknowledges it without running it.
    awaitCondition(
        () ->
            broker.queues().stream()
                .anyMatch(q -> q.queue().equals("later") && q.ready() == 0 && q.unacked() == 0));
    assertThat(callerSaw.lines()).containsExactly("sent", "call REVOKED REVOKED");
    assertThat(workerSaw.lines()).isEmpty();
  }

  @Test
  void aCallAnsweredByAnEarlierCallWithItsIdempotencyKeyIsSentAndObservedOnce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    worker.register(
        "once",
        int.class,
        int.class,
        n -> {
          release.await();
          return n * 10;
        });
    worker.allocate("once", 1, 0);
    TaskOptions keyed = TaskOptions.builder().idempotencyKey("order-7").build();

    Result<@Nullable Object> first = caller.call("once", keyed, 7);
    Result<@Nullable Object> second = caller.call("once", keyed, 7);
    release.countDown();

    assertThat(first.await(BOUND)).isEqualTo(70);
    assertThat(second.await(BOUND)).isEqualTo(70);
    awaitCounts(2, 2);
    assertThat(callerSaw.lines()).containsExactlyInAnyOrder("sent", "call SUCCEEDED");
    assertThat(callerSaw.seen()).allMatch(seen -> seen.key().equals(first.key()));
    assertThat(workerSaw.lines()).containsExactly("started 1", "finished 1 SUCCEEDED");
  }

  @Test
  void aValueTheWorkerCannotSendIsAFailedAttemptNotASuccess() throws Exception {
    RecordingObserver smallSaw = new RecordingObserver();
    TaskApp small =
        TaskApp.builder()
            .mode(TaskApp.Mode.REMOTE)
            .timeSource(time)
            .observer(smallSaw)
            .maxPayloadBytes(64)
            .build();
    apps.add(small);
    small.use(broker);
    small.use(backend);
    small.register("big", int.class, String.class, n -> "x".repeat(n));
    small.allocate("big", 1, 0);

    Result<@Nullable Object> result = caller.call("big", 1_000);

    assertThat(failure(result).code()).isEqualTo(ErrorCode.TOO_LARGE);
    awaitCondition(() -> smallSaw.size() >= 2);
    assertThat(smallSaw.lines()).containsExactly("started 1", "finished 1 FAILED TOO_LARGE");
  }

  @Test
  void theOptionsAWorkerSeesCarryNoTraceparentTheTraceIsTheEnvelopesOwn() throws Exception {
    AtomicReference<TaskOptions> seen = new AtomicReference<>();
    worker.register(
        "options",
        int.class,
        int.class,
        n -> {
          seen.set(TaskContext.current().orElseThrow().options());
          return n;
        });
    worker.allocate("options", 1, 0);
    TraceParent given =
        TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

    caller
        .call("options", TaskOptions.builder().traceparent(given).priority(3).build(), 1)
        .await(BOUND);

    assertThat(seen.get().priority()).isEqualTo(3);
    assertThat(seen.get().traceparent()).isNull();
  }

  @Test
  void aQueueTheBrokerCannotDeclareFailsTheCallOnceAndIsDeclaredAgainNextTime() throws Exception {
    worker.register("fresh", int.class, int.class, n -> n + 1);
    worker.allocate("fresh", 1, 0);
    RecordingObserver flakySaw = new RecordingObserver();
    TaskApp flaky =
        TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).observer(flakySaw).build();
    apps.add(flaky);
    AtomicInteger declares = new AtomicInteger();
    flaky.use(
        new ForwardingProducer(broker) {
          @Override
          public void declare(String queue) {
            if (declares.incrementAndGet() == 1) {
              throw new IllegalStateException("channel closed while declaring " + queue);
            }
            super.declare(queue);
          }
        },
        Role.PRODUCER);
    flaky.use(backend, Role.STORE);

    Result<@Nullable Object> refused = flaky.call("fresh", 1);

    TaskError error = failure(refused);
    assertThat(error.code()).isEqualTo(ErrorCode.GENERIC);
    assertThat(error.message()).contains("channel closed while declaring fresh");
    assertThat(flakySaw.lines()).containsExactly("call FAILED GENERIC");

    assertThat(flaky.call("fresh", 2).await(BOUND)).isEqualTo(3);
    assertThat(declares.get()).isEqualTo(2);
    flaky.close();
    assertThat(flakySaw.lines())
        .as("nothing left pending for close to fail")
        .containsExactlyInAnyOrder("call FAILED GENERIC", "sent", "call SUCCEEDED");
  }

  @Test
  void aBackendThatCannotPollFailsTheCallOnceWithoutSendingIt() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    worker.register("unheard", int.class, int.class, n -> ran.incrementAndGet());
    worker.allocate("unheard", 1, 0);
    RecordingObserver brokenSaw = new RecordingObserver();
    TaskApp broken =
        TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).observer(brokenSaw).build();
    apps.add(broken);
    broken.use(broker, Role.PRODUCER);
    broken.use(
        new ReportStore() {
          @Override
          public Subscription poll(TaskKey key, java.util.function.Consumer<byte[]> sink) {
            throw new IllegalStateException("the backend's connection is closed");
          }

          @Override
          public void done(TaskKey key) {}

          @Override
          public String claimIdempotencyKey(
              String taskName, String idempotencyKey, String candidateId, Duration ttl) {
            return candidateId;
          }

          @Override
          public void close() {}
        },
        Role.STORE);

    Result<@Nullable Object> result = broken.call("unheard", 1);

    TaskError error = failure(result);
    assertThat(error.code()).isEqualTo(ErrorCode.GENERIC);
    assertThat(error.message()).contains("the backend's connection is closed");
    broken.close();
    assertThat(brokenSaw.lines()).containsExactly("call FAILED GENERIC");
    assertThat(broker.queues()).allMatch(queue -> queue.ready() == 0 && queue.delayed() == 0);
    assertThat(ran.get()).isZero();
  }

  // ---- trace context ----

  @Test
  void anExplicitTraceparentCrossesTheWireAndTheAttemptIsItsChild() throws Exception {
    AtomicReference<TraceParent> seen = new AtomicReference<>();
    worker.register(
        "traced",
        int.class,
        int.class,
        n -> {
          seen.set(TaskContext.current().orElseThrow().trace());
          return n;
        });
    worker.allocate("traced", 1, 0);
    TraceParent given =
        TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

    caller.call("traced", TaskOptions.builder().traceparent(given).build(), 1).await(BOUND);

    assertThat(seen.get().traceId()).isEqualTo(given.traceId());
    assertThat(seen.get().parentId()).isNotEqualTo(given.parentId());
    assertThat(seen.get().flags()).isEqualTo(1);
    awaitCounts(2, 2);
    assertThat(callerSaw.only("sent").trace()).isEqualTo(given);
    assertThat(workerSaw.only("started").trace()).isEqualTo(seen.get());
  }

  @Test
  void everyAttemptOfARetriedCallIsANewSpanOfTheSameTrace() throws Exception {
    List<TraceParent> traces = new CopyOnWriteArrayList<>();
    worker.register(
        "flaky",
        int.class,
        int.class,
        n -> {
          traces.add(TaskContext.current().orElseThrow().trace());
          if (traces.size() == 1) {
            throw new IllegalStateException("first fails");
          }
          return n;
        });
    worker.allocate("flaky", 1, 0);

    Result<@Nullable Object> result = caller.call("flaky", retries(2), 3);
    awaitCondition(() -> broker.queues().stream().anyMatch(queue -> queue.delayed() == 1));
    time.advance(Duration.ofSeconds(3));
    result.await(BOUND);

    awaitCounts(2, 4);
    TraceParent sent = java.util.Objects.requireNonNull(callerSaw.only("sent").trace());
    assertThat(traces).hasSize(2);
    assertThat(traces).allMatch(trace -> trace.traceId().equals(sent.traceId()));
    assertThat(traces.get(0).parentId())
        .isNotEqualTo(traces.get(1).parentId())
        .isNotEqualTo(sent.parentId());
  }

  @Test
  void aMalformedTraceparentFromTheWireStartsANewTraceWithAWarningAndTheTaskRuns()
      throws Exception {
    List<TaskEvent> warnings = new CopyOnWriteArrayList<>();
    worker.listen(EnumSet.of(EventOrigin.WORKER), EventLevel.WARNING, warnings::add);
    AtomicReference<TraceParent> seen = new AtomicReference<>();
    worker.register(
        "traced",
        int.class,
        int.class,
        n -> {
          seen.set(TaskContext.current().orElseThrow().trace());
          return n + 1;
        });
    worker.allocate("traced", 1, 0);
    TaskApp tampering = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    apps.add(tampering);
    tampering.use(new MalformedTraceProducer(broker), Role.PRODUCER);
    tampering.use(backend, Role.STORE);

    Result<@Nullable Object> result = tampering.call("traced", 1);

    assertThat(result.await(BOUND)).isEqualTo(2);
    assertThat(seen.get()).isNotNull();
    assertThat(seen.get().toString()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    awaitCondition(() -> !warnings.isEmpty());
    assertThat(warnings.getFirst().code()).isEqualTo(EventCode.GENERIC);
    assertThat(warnings.getFirst().message()).contains("malformed traceparent");
    assertThat(warnings.getFirst().key()).isEqualTo(result.key());
  }

  /** A producer that hands everything to another; tests override what they break. */
  private static class ForwardingProducer implements TaskProducer {
    private final TaskProducer delegate;

    ForwardingProducer(TaskProducer delegate) {
      this.delegate = delegate;
    }

    @Override
    public void declare(String queue) {
      delegate.declare(queue);
    }

    @Override
    public CompletionStage<Void> send(TaskEnvelope task) {
      return delegate.send(task);
    }

    @Override
    public CompletionStage<Void> revoke(TaskKey key, Instant until) {
      return delegate.revoke(key, until);
    }

    @Override
    public void close() {}
  }

  /** A producer that sends every task with a traceparent no parser accepts. */
  private static final class MalformedTraceProducer extends ForwardingProducer {
    MalformedTraceProducer(TaskProducer delegate) {
      super(delegate);
    }

    @Override
    public CompletionStage<Void> send(TaskEnvelope task) {
      return super.send(
          new TaskEnvelope(
              task.version(),
              task.key(),
              task.queue(),
              task.marshallerId(),
              task.reportMarshallerId(),
              task.arguments(),
              task.attempt(),
              task.options(),
              task.createdAt(),
              "01-NOT-A-TRACE",
              task.replyTo()));
    }
  }
}
