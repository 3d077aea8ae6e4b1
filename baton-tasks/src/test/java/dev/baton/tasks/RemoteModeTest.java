package dev.baton.tasks;

import static dev.baton.tasks.LocalModeTest.awaitCondition;
import static dev.baton.tasks.LocalModeTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.tasks.memory.InMemorySharedQueueBroker;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.tasks.spi.Subscription;
import dev.baton.time.ManualTimeSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Remote mode end to end, through the in-memory broker and backend (bytes on the "wire"). */
class RemoteModeTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  /** A value type that travels as JSON. */
  public record Point(int x, int y) {}

  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryBroker broker = new InMemoryBroker(time);
  private final InMemoryBackend backend = new InMemoryBackend(time);
  private final List<TaskApp> apps = new ArrayList<>();

  private TaskApp remoteApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
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

  @Test
  void aCallerAndASeparateWorkerExchangeTypedValuesThroughTheBrokerAndBackend() throws Exception {
    TaskApp worker = remoteApp();
    TaskApp caller = remoteApp();
    worker.register(
        "move", Point.class, int.class, Point.class, (p, d) -> new Point(p.x() + d, p.y() + d));
    worker.allocate("move", 2, 1);

    Result<Point> result =
        caller.call(
            "move",
            Point.class,
            TaskOptions.builder().monitorProgress(true).build(),
            new Point(1, 2),
            10);

    assertThat(result.await(BOUND)).isEqualTo(new Point(11, 12));
    assertThat(Reports.statuses(Reports.of(result, BOUND)))
        .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS);
  }

  /**
   * A store that hands every report to its sink on one thread of its own, as a real store's
   * delivery thread (an AMQP consumer, a pub/sub connection) does.
   */
  private static final class OneThreadStore implements ReportStore {
    private final ReportStore delegate;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();

    OneThreadStore(ReportStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Subscription poll(TaskKey key, Consumer<byte[]> sink) {
      return delegate.poll(key, body -> thread.execute(() -> sink.accept(body)));
    }

    @Override
    public void done(TaskKey key) {
      delegate.done(key);
    }

    @Override
    public String claimIdempotencyKey(
        String taskName, String idempotencyKey, String candidateId, Duration ttl) {
      return delegate.claimIdempotencyKey(taskName, idempotencyKey, candidateId, ttl);
    }

    @Override
    public void close() {
      thread.shutdownNow();
    }
  }

  @Test
  void aCallbackThatWaitsForAnotherCallDoesNotBlockTheStoresDeliveryThread() throws Exception {
    TaskApp worker = remoteApp();
    worker.register("inc", int.class, int.class, n -> n + 1);
    worker.allocate("inc", 2, 1);
    TaskApp caller = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    apps.add(caller);
    caller.use(broker);
    try (OneThreadStore store = new OneThreadStore(backend)) {
      caller.use(store, Role.STORE);
      CompletableFuture<Integer> nested = new CompletableFuture<>();

      caller
          .<Integer>call("inc", int.class, TaskOptions.builder().build(), 1)
          .onSuccess(
              value -> {
                try {
                  nested.complete(
                      caller
                          .<Integer>call("inc", int.class, TaskOptions.builder().build(), value)
                          .await(BOUND));
                } catch (Exception | Error e) {
                  nested.completeExceptionally(e);
                }
              });

      assertThat(nested.get(2 * BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
    }
  }

  @Test
  void aWorkerHoldsCountTimesThePrefetchMultiplierButRunsOnlyCountAtOnce() throws Exception {
    TaskApp worker =
        TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).prefetchMultiplier(3).build();
    apps.add(worker);
    worker.use(broker);
    worker.use(backend);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    worker.register(
        "hold",
        int.class,
        int.class,
        n -> {
          mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
          go.await();
          running.decrementAndGet();
          return n;
        });
    worker.allocate("hold", 2, 0);
    TaskApp caller = remoteApp();

    List<Result<@Nullable Object>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      results.add(caller.call("hold", i));
    }
    awaitCondition(
        () ->
            running.get() == 2
                && broker.queues().stream()
                        .filter(stats -> stats.queue().equals("hold"))
                        .mapToLong(QueueStats::unacked)
                        .sum()
                    == 6);
    go.countDown();

    for (int i = 0; i < 10; i++) {
      assertThat(results.get(i).await(BOUND)).isEqualTo(i);
    }
    assertThat(mostAtOnce.get()).isEqualTo(2);
  }

  @Test
  void aTaskRevokedWhileItWaitsInThePrefetchDoesNotRun() throws Exception {
    TaskApp worker =
        TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).prefetchMultiplier(4).build();
    apps.add(worker);
    worker.use(broker);
    worker.use(backend);
    List<Integer> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    worker.register(
        "hold",
        int.class,
        int.class,
        n -> {
          ran.add(n);
          go.await();
          return n;
        });
    worker.allocate("hold", 1, 0);
    TaskApp caller = remoteApp();

    Result<@Nullable Object> running = caller.call("hold", 1);
    awaitCondition(() -> ran.equals(List.of(1)));
    Result<@Nullable Object> waiting = caller.call("hold", 2);
    awaitCondition(
        () ->
            broker.queues().stream()
                    .filter(stats -> stats.queue().equals("hold"))
                    .mapToLong(QueueStats::unacked)
                    .sum()
                == 2); // the second is prefetched, waiting for the one worker
    assertThat(waiting.cancel()).isTrue();
    go.countDown();

    assertThat(running.await(BOUND)).isEqualTo(1);
    awaitCondition(
        () ->
            broker.queues().stream()
                .filter(stats -> stats.queue().equals("hold"))
                .allMatch(stats -> stats.ready() == 0 && stats.unacked() == 0));
    assertThat(ran).containsExactly(1);
    assertThat(failure(waiting).code()).isEqualTo(ErrorCode.REVOKED);
  }

  @Test
  void aPrefetchMultiplierBelowOneIsRefused() {
    assertThatThrownBy(() -> TaskApp.builder().prefetchMultiplier(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefetchMultiplier must be positive");
  }

  @Test
  void aTaskNoWorkerKnowsOnItsOwnQueueFailsWithUnknownTaskAndIsDeadLettered() throws Exception {
    TaskApp worker = remoteApp();
    TaskApp caller = remoteApp();
    worker.register("known", int.class, int.class, n -> n);
    worker.allocateQueue("stray", 1);

    Result<@Nullable Object> result =
        caller.call("stray", TaskOptions.builder().build(), 1); // queue "stray", no such task
    TaskError error = failure(result);

    assertThat(error.code()).isEqualTo(ErrorCode.UNKNOWN_TASK);
    assertThat(error.message()).contains("'stray'");
    awaitCondition(() -> broker.deadLetters(10).size() == 1);
  }

  @Test
  void aPayloadThatDoesNotDecodeIsDeadLetteredWithAnEventAndTheConsumerGoesOn() throws Exception {
    TaskApp worker = remoteApp();
    TaskApp caller = remoteApp();
    List<TaskEvent> errors = new ArrayList<>();
    CountDownLatch decodeFailure = new CountDownLatch(1);
    worker.listen(
        EnumSet.allOf(EventOrigin.class),
        EventLevel.ERROR,
        event -> {
          if (event.code() == EventCode.DECODE_FAILURE) {
            synchronized (errors) {
              errors.add(event);
            }
            decodeFailure.countDown();
          }
        });
    worker.register("inc", int.class, int.class, n -> n + 1);
    worker.allocate("inc", 1, 0);

    broker.injectRaw("inc", "not an envelope".getBytes(StandardCharsets.UTF_8));

    assertThat(decodeFailure.await(10, TimeUnit.SECONDS)).isTrue();
    awaitCondition(() -> broker.deadLetters(10).size() == 1);
    assertThat(broker.deadLetters(10).getFirst().error().code()).isEqualTo(ErrorCode.DECODE);
    assertThat(caller.call("inc", 1).await(BOUND)).isEqualTo(2);
  }

  @Test
  void bytesThatDoNotDecodeIntoTheDeclaredTypesFailWithBadArguments() throws Exception {
    TaskApp worker = remoteApp();
    TaskApp caller = remoteApp();
    worker.register("inc", int.class, int.class, n -> n + 1);
    worker.allocate("inc", 1, 0);

    TaskError error = failure(caller.call("inc", "not a number"));

    assertThat(error.code()).isEqualTo(ErrorCode.BAD_ARGUMENTS);
    assertThat(error.message()).contains("int");
  }

  @Test
  void argumentsOverThePayloadLimitFailAtTheCallerAsTooLarge() throws Exception {
    TaskApp caller =
        TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).maxPayloadBytes(64).build();
    apps.add(caller);
    caller.use(broker);
    caller.use(backend);

    TaskError error = failure(caller.call("echo", "x".repeat(100)));

    assertThat(error.code()).isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(broker.queues()).allMatch(queue -> queue.ready() == 0);
  }

  @Test
  void retriesTravelThroughTheBrokerAndTheRetryReportReachesTheCaller() throws Exception {
    TaskApp worker = remoteApp();
    TaskApp caller = remoteApp();
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
    TaskOptions options =
        TaskOptions.builder()
            .retry(new RetryPolicy(2, Duration.ofSeconds(3), 1.0, Duration.ofSeconds(3), 0.0))
            .build();

    Result<@Nullable Object> result = caller.call("flaky", options, 9);
    awaitCondition(() -> result.state() == TaskState.RETRYING);
    awaitCondition(() -> broker.queues().stream().anyMatch(queue -> queue.delayed() == 1));
    time.advance(Duration.ofSeconds(3));

    assertThat(result.await(BOUND)).isEqualTo(9);
    assertThat(attempts).hasValue(2);
  }

  @Test
  void theSharedQueueLayoutRoutesEveryNameThroughOneQueue() throws Exception {
    InMemorySharedQueueBroker shared = new InMemorySharedQueueBroker(time);
    try {
      TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
      apps.add(app);
      assertThat(app.use(shared)).containsExactlyInAnyOrder(Role.PRODUCER, Role.CONSUMER);
      app.use(backend);
      app.register("inc", int.class, int.class, n -> n + 1);
      app.register("dec", int.class, int.class, n -> n - 1);
      app.allocate("inc", 1, 0);
      app.allocate("dec", 1, 0);

      assertThat(app.call("inc", 1).await(BOUND)).isEqualTo(2);
      assertThat(app.call("dec", 1).await(BOUND)).isEqualTo(0);
    } finally {
      shared.close();
    }
  }

  @Test
  void objectsAreRefusedForRolesTheyDoNotImplement() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    apps.add(app);

    assertThatThrownBy(() -> app.use(broker, Role.REPORTER))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("REPORTER");
    assertThatThrownBy(() -> app.use(backend, Role.PRODUCER))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("PRODUCER");
    assertThatThrownBy(() -> app.use(new Object()))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("none of the roles");
    assertThat(app.use(broker)).isEqualTo(Set.of(Role.PRODUCER, Role.NAMED_CONSUMER));
    assertThatThrownBy(() -> app.use(broker, Role.PRODUCER))
        .isInstanceOf(TaskConfigurationException.class)
        .hasMessageContaining("already attached");
  }

  @Test
  void closingTheCallerFailsItsPendingCallsWithShutdown() throws Exception {
    TaskApp caller = remoteApp();

    Result<@Nullable Object> result = caller.call("nobody-serves-this", 1);
    caller.close();

    assertThat(failure(result).code()).isEqualTo(ErrorCode.SHUTDOWN);
  }
}
