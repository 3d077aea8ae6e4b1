package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.EventOrigin;
import dev.baton.tasks.Report;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.Result;
import dev.baton.tasks.RetryPolicy;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskEvent;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reliability tests 3 and 4 of issue 5 against the real RabbitMQ server: a malformed message on a
 * task queue is dead-lettered with an error event while consuming goes on, and a task that always
 * fails runs once plus its retries, with growing delays (through the broker's TTL queues, on the
 * server's clock), before it is dead-lettered and its caller fails. Each test wires a worker app
 * and a caller app, each with its own broker and backend connections as separate processes would
 * have, under a prefix of its own that is deleted afterwards. Every wait is bounded.
 */
class AmqpReliabilityTest {

  private static final Duration BOUND = Duration.ofSeconds(20);

  private final String prefix =
      "rt" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final List<String> taskQueues = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final SystemTimeSource time = new SystemTimeSource();

  AmqpReliabilityTest() {
    closeables.add(time);
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      for (AutoCloseable c : closeables.reversed()) {
        c.close();
      }
    } finally {
      deleteTopology();
    }
  }

  /**
   * Reliability test 3: bytes that are not an envelope, published by another client straight onto
   * the task queue ({@code <prefix>.q.<name>}, the broker's own layout), persistent and confirmed,
   * reach the worker, which reports an ERROR {@link EventCode#DECODE_FAILURE} event and
   * dead-letters them with {@link ErrorCode#DECODE}; the 20 tasks called after them all complete.
   */
  @Test
  void aMalformedMessageIsDeadLetteredWithAnErrorEventAndConsumingGoesOn() throws Exception {
    String name = queue("malformed");
    AmqpBroker workerBroker = broker();
    TaskApp worker = workerApp(workerBroker);
    LinkedBlockingQueue<TaskEvent> errors = new LinkedBlockingQueue<>();
    var _ = worker.listen(EnumSet.allOf(EventOrigin.class), EventLevel.ERROR, errors::add);
    worker.register(name, int.class, int.class, n -> n * 2);
    worker.allocate(name, 2, 0);
    TaskApp caller = callerApp();

    byte[] garbage = "this is not a task envelope \u0000\u00ff".getBytes(UTF_8);
    try (Connection connection = rawFactory().newConnection("baton-test-raw-publisher");
        Channel channel = connection.createChannel()) {
      String queue = new BrokerTopology(prefix, false).taskQueue(name);
      // the worker's subscription declared it: publishing to a missing queue would prove nothing
      var _ = channel.queueDeclarePassive(queue);
      channel.confirmSelect();
      channel.basicPublish("", queue, true, MessageProperties.PERSISTENT_BASIC, garbage);
      channel.waitForConfirmsOrDie(BOUND.toMillis());
    }

    TaskEvent event = next(errors, e -> e.code() == EventCode.DECODE_FAILURE, "DECODE_FAILURE");
    assertThat(event.level()).isEqualTo(EventLevel.ERROR);
    assertThat(event.origin()).isEqualTo(EventOrigin.CONSUMER);
    assertThat(event.key()).as("key of an envelope that did not decode").isNull();
    assertThat(event.message()).contains(name);

    List<DeadLetter> letters =
        eventually(
            () -> deadLettersOf(workerBroker, name), l -> !l.isEmpty(), "a dead letter in " + name);
    assertThat(letters).hasSize(1);
    DeadLetter letter = letters.getFirst();
    assertThat(letter.queue()).isEqualTo(name);
    assertThat(letter.key()).as("key of an envelope that did not decode").isNull();
    assertThat(letter.error().code()).isEqualTo(ErrorCode.DECODE);
    assertThat(letter.error().message()).contains("does not decode");
    assertThat(letter.body()).as("the dead letter's body, as it was published").isEqualTo(garbage);

    int calls = 20;
    List<Result<@Nullable Object>> results = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      results.add(caller.call(name, i));
    }
    for (int i = 0; i < calls; i++) {
      assertThat(results.get(i).await(BOUND)).as("result of call %d", i).isEqualTo(2 * i);
    }
    assertThat(deadLettersOf(workerBroker, name)).as("dead letters after the calls").hasSize(1);
    assertThat(errors)
        .as("ERROR events other than the one decode failure")
        .filteredOn(e -> e.code() != EventCode.CONNECTION)
        .isEmpty();
    // the last acknowledgements may still be on their way: wait for nothing unsettled
    QueueStats stats =
        eventually(
            () -> queueStats(workerBroker, name),
            s -> s.ready() == 0 && s.unacked() == 0,
            "an empty queue of " + name);
    assertThat(stats.delayed()).as("delayed").isZero();
    assertThat(stats.deadLetters()).as("dead letters").isEqualTo(1);
  }

  /**
   * Reliability test 4: a task that always throws, called with 4 attempts (3 retries) of 300 ms
   * initial backoff tripling each time and no jitter, runs exactly 4 times, each attempt at least
   * its backoff after the previous one (the delays pass in the broker's TTL queues) and each gap
   * longer than the last. The backoff triples rather than doubles (as in the Redis test): a delay
   * passes through several TTL queues, each hop a quorum-queue write, and on a loaded 2-core
   * machine one was seen 600 ms late (a 400 ms delay took 1,003 ms, the 800 ms one after it 930
   * ms), so the steps between the delays (600 and 1,800 ms) are wider than that noise; the caller
   * receives SENT, then PROGRESS and RETRY for each failed attempt but the last, then PROGRESS and
   * FAIL with {@link ErrorCode#TASK_FAILED} and the last attempt's error; the broker lists the call
   * among its dead letters with that error. On the real clock.
   */
  @Test
  void aTaskThatAlwaysFailsWithThreeRetriesRunsFourTimesWithGrowingDelaysThenIsDeadLettered()
      throws Exception {
    String name = queue("always-fails");
    AmqpBroker workerBroker = broker();
    TaskApp worker = workerApp(workerBroker);
    List<Long> attempts = new CopyOnWriteArrayList<>();
    worker.register(
        name,
        String.class,
        String.class,
        s -> {
          attempts.add(System.nanoTime());
          throw new IllegalStateException("attempt " + attempts.size() + " failed");
        });
    worker.allocate(name, 1, 0);
    TaskApp caller = callerApp();

    TaskOptions options =
        TaskOptions.builder()
            .monitorProgress(true)
            .retry(new RetryPolicy(4, Duration.ofMillis(300), 3.0, Duration.ofSeconds(5), 0.0))
            .build();
    Result<@Nullable Object> result = caller.call(name, options, "x");
    ReportCollector reports = new ReportCollector();
    result.reports().subscribe(reports);

    assertThatThrownBy(() -> result.await(BOUND))
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> {
              assertThat(e.key()).isEqualTo(result.key());
              assertThat(e.error().code()).isEqualTo(ErrorCode.TASK_FAILED);
              assertThat(e.error().message()).contains("attempt 4 failed");
            });
    List<Report> received = reports.await(BOUND, result.key().toString());

    assertThat(attempts).as("attempts").hasSize(4);
    long[] gapsMillis = new long[3];
    for (int i = 0; i < 3; i++) {
      gapsMillis[i] = TimeUnit.NANOSECONDS.toMillis(attempts.get(i + 1) - attempts.get(i));
    }
    String gaps = "gaps between attempts, ms: " + Arrays.toString(gapsMillis);
    assertThat(gapsMillis[0]).as("gap before attempt 2; " + gaps).isGreaterThanOrEqualTo(300);
    assertThat(gapsMillis[1]).as("gap before attempt 3; " + gaps).isGreaterThanOrEqualTo(900);
    assertThat(gapsMillis[2]).as("gap before attempt 4; " + gaps).isGreaterThanOrEqualTo(2_700);
    assertThat(gapsMillis[1]).as("gap before attempt 3; " + gaps).isGreaterThan(gapsMillis[0]);
    assertThat(gapsMillis[2]).as("gap before attempt 4; " + gaps).isGreaterThan(gapsMillis[1]);

    assertThat(received)
        .extracting(Report::status)
        .containsExactly(
            ReportStatus.SENT,
            ReportStatus.PROGRESS,
            ReportStatus.RETRY,
            ReportStatus.PROGRESS,
            ReportStatus.RETRY,
            ReportStatus.PROGRESS,
            ReportStatus.RETRY,
            ReportStatus.PROGRESS,
            ReportStatus.FAIL);
    assertThat(received)
        .filteredOn(r -> r.status() != ReportStatus.SENT)
        .extracting(Report::attempt)
        .containsExactly(1, 1, 2, 2, 3, 3, 4, 4);
    List<Report> retries = received.stream().filter(r -> r.status() == ReportStatus.RETRY).toList();
    for (int i = 0; i < retries.size(); i++) {
      TaskError error = requireNonNull(retries.get(i).error(), "error of a RETRY report");
      assertThat(error.code()).isEqualTo(ErrorCode.TASK_FAILED);
      assertThat(error.message()).contains("attempt " + (i + 1) + " failed");
    }
    TaskError failure = requireNonNull(received.getLast().error(), "error of the FAIL report");
    assertThat(failure.code()).isEqualTo(ErrorCode.TASK_FAILED);
    assertThat(failure.message()).contains("attempt 4 failed");
    assertThat(result.error()).contains(failure);

    // the FAIL report is published before the delivery is dead-lettered: wait for the letter
    List<DeadLetter> letters =
        eventually(
            () -> deadLettersOf(workerBroker, name), l -> !l.isEmpty(), "a dead letter in " + name);
    assertThat(letters).hasSize(1);
    DeadLetter letter = letters.getFirst();
    assertThat(letter.key()).isEqualTo(result.key());
    assertThat(letter.error()).isEqualTo(failure);
    assertThat(attempts).as("attempts after the dead-lettering").hasSize(4);
    QueueStats stats =
        eventually(
            () -> queueStats(workerBroker, name),
            s -> s.ready() == 0 && s.unacked() == 0,
            "an empty queue of " + name);
    assertThat(stats.delayed()).as("delayed").isZero();
    assertThat(stats.deadLetters()).as("dead letters").isEqualTo(1);
    System.out.println("always-failing task: " + gaps);
  }

  // ---- wiring ----

  /** A task queue of this test, deleted afterwards. */
  private String queue(String name) {
    taskQueues.add(name);
    return name;
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

  /** An app that only runs tasks: named consumer and report publisher. */
  private TaskApp workerApp(AmqpBroker broker) {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    closeables.add(app);
    app.use(broker, Role.NAMED_CONSUMER);
    app.use(backend(), Role.REPORTER);
    return app;
  }

  /** An app that only calls tasks: producer and report store. */
  private TaskApp callerApp() {
    AmqpBroker broker = broker();
    AmqpBackend backend = backend();
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    closeables.add(app);
    app.use(broker, Role.PRODUCER);
    app.use(backend, Role.STORE);
    return app;
  }

  /** A plain client of its own, as another program on the server would have. */
  private static ConnectionFactory rawFactory() {
    ConnectionFactory factory = AmqpConnections.factory(AmqpTests.uri());
    factory.setAutomaticRecoveryEnabled(false);
    return factory;
  }

  /**
   * Deletes what the brokers declared under the test's prefix: the task queues, the delay cascade,
   * the dead letters, the streams and the exchanges (the backends delete their reply queues).
   */
  private void deleteTopology() throws Exception {
    BrokerTopology names = new BrokerTopology(prefix, false);
    List<String> queues = new ArrayList<>(names.fixedQueues());
    taskQueues.forEach(q -> queues.add(names.taskQueue(q)));
    try (Connection connection = rawFactory().newConnection("baton-test-cleanup")) {
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

  private static List<DeadLetter> deadLettersOf(AmqpBroker broker, String queue) {
    return broker.deadLetters(10_000).stream().filter(d -> d.queue().equals(queue)).toList();
  }

  private static QueueStats queueStats(AmqpBroker broker, String queue) {
    return broker.queues().stream()
        .filter(s -> s.queue().equals(queue))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the broker does not list queue " + queue));
  }

  /** The next event matching {@code wanted}, skipping others, within {@link #BOUND}. */
  private static TaskEvent next(
      LinkedBlockingQueue<TaskEvent> events, Predicate<TaskEvent> wanted, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    List<TaskEvent> skipped = new ArrayList<>();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        TaskEvent event = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
        if (event == null) {
          throw new AssertionError(
              "no " + what + " event within " + BOUND + "; other events: " + skipped);
        }
        if (wanted.test(event)) {
          return event;
        }
        skipped.add(event);
      }
    } finally {
      events.addAll(skipped);
    }
  }

  /**
   * Reads {@code value} every 20 ms until it satisfies {@code done}, for at most {@link #BOUND};
   * for state the broker writes after the event or report a test can wait on.
   */
  private static <T> T eventually(Supplier<T> value, Predicate<T> done, String what) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (true) {
      T v = value.get();
      if (done.test(v)) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " within " + BOUND + "; last seen: " + v);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** Requests every report of a call and completes when its stream does. */
  private static final class ReportCollector implements Flow.Subscriber<Report> {
    private final List<Report> received = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<List<Report>> done = new CompletableFuture<>();

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Report report) {
      received.add(report);
    }

    @Override
    public void onError(Throwable throwable) {
      done.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      synchronized (received) {
        done.complete(List.copyOf(received));
      }
    }

    List<Report> await(Duration bound, String what) throws Exception {
      try {
        return done.get(bound.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        synchronized (received) {
          throw new AssertionError(
              "the report stream of " + what + " did not end within " + bound + ": " + received, e);
        }
      }
    }
  }
}
