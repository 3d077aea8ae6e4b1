package dev.baton.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.Result;
import dev.baton.tasks.RetryPolicy;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskContext;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskObserver;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.TaskState;
import dev.baton.tasks.TraceParent;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Trace context and task observers over the real RabbitMQ broker and backend: the caller's
 * traceparent travels in the envelope (and the AMQP {@code traceparent} header), the worker's
 * attempt is its child span, and each app's observer hears its side of the call.
 */
class AmqpTraceAndObserverTest {

  private static final String PREFIX = AmqpBackendTestQueues.uniquePrefix();
  private static final Duration BOUND = Duration.ofSeconds(20);

  private final SystemTimeSource time = new SystemTimeSource();
  private final List<TaskApp> apps = new ArrayList<>();
  private AmqpBroker broker;
  private AmqpBackend backend;

  /** Records each callback as a line, with the trace where it has one. */
  private static final class Recorder implements TaskObserver {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<TraceParent> traces = new CopyOnWriteArrayList<>();

    @Override
    public void sent(TaskKey key, String queue, TraceParent trace) {
      traces.add(trace);
      lines.add("sent " + key.name() + " " + queue);
    }

    @Override
    public void attemptStarted(TaskKey key, int attempt, TraceParent trace) {
      traces.add(trace);
      lines.add("started " + attempt);
    }

    @Override
    public void attemptFinished(
        TaskKey key,
        int attempt,
        AttemptOutcome outcome,
        @Nullable TaskError error,
        Duration took) {
      lines.add("finished " + attempt + " " + outcome);
    }

    @Override
    public void callFinished(
        TaskKey key, TaskState state, @Nullable TaskError error, Duration latency) {
      lines.add("call " + state);
    }
  }

  @BeforeEach
  void connect() {
    broker =
        AmqpBroker.connect(
            AmqpTests.uri(),
            time,
            AmqpBroker.DEFAULT_LEASE,
            AmqpBroker.DEFAULT_LIVENESS_WINDOW,
            PREFIX);
    backend = AmqpBackend.connect(AmqpTests.uri(), time, AmqpBackendTestQueues.options(PREFIX));
  }

  @AfterEach
  void disconnect() throws Exception {
    try {
      apps.forEach(TaskApp::close);
      broker.close();
      backend.close();
      time.close();
    } finally {
      AmqpBrokerTests.deleteTaskQueues(broker);
    }
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    AmqpBrokerTests.deleteTopology(PREFIX);
    AmqpBackendTestQueues.deleteAll(PREFIX);
  }

  private TaskApp app(TaskObserver observer) {
    TaskApp app =
        TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).observer(observer).build();
    app.use(broker);
    app.use(backend);
    apps.add(app);
    return app;
  }

  @Test
  void theCallersTraceCrossesTheBrokerAndTheWorkerRunsAChildSpanOfIt() throws Exception {
    Recorder callerSaw = new Recorder();
    Recorder workerSaw = new Recorder();
    TaskApp caller = app(callerSaw);
    TaskApp worker = app(workerSaw);
    AtomicReference<TraceParent> inTask = new AtomicReference<>();
    worker.register(
        "traced",
        String.class,
        String.class,
        s -> {
          inTask.set(TaskContext.current().orElseThrow().trace());
          return s.toUpperCase(java.util.Locale.ROOT);
        });
    TraceParent given =
        TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

    // Sent before any worker consumes, so the message can be looked at on the server first.
    Result<String> result =
        caller.call("traced", String.class, TaskOptions.builder().traceparent(given).build(), "hi");
    assertThat(peekTraceparentHeader(broker.names().taskQueue("traced")))
        .isEqualTo(given.toString());
    worker.allocate("traced", 1, 0);

    assertThat(result.await(BOUND)).isEqualTo("HI");
    TraceParent attempt = inTask.get();
    assertThat(attempt.traceId()).isEqualTo(given.traceId());
    assertThat(attempt.parentId()).isNotEqualTo(given.parentId());
    long deadline = System.nanoTime() + BOUND.toNanos();
    while ((callerSaw.lines.size() < 2 || workerSaw.lines.size() < 2)
        && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
    }
    assertThat(callerSaw.lines).containsExactlyInAnyOrder("sent traced traced", "call SUCCEEDED");
    assertThat(callerSaw.traces).containsExactly(given);
    assertThat(workerSaw.lines).containsExactly("started 1", "finished 1 SUCCEEDED");
    assertThat(workerSaw.traces).containsExactly(attempt);
  }

  @Test
  void theTraceparentHeaderStaysOnTheNextAttemptTheDeadLetterAndTheRetriedDeadLetter()
      throws Exception {
    Recorder workerSaw = new Recorder();
    TaskApp caller = app(new Recorder());
    TaskApp worker = app(workerSaw);
    worker.register(
        "doomed",
        String.class,
        String.class,
        s -> {
          throw new IllegalStateException("always fails");
        });
    worker.allocate("doomed", 1, 0);
    TraceParent given =
        TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    Duration backoff = Duration.ofMillis(50);
    TaskOptions options =
        TaskOptions.builder()
            .traceparent(given)
            .retry(new RetryPolicy(2, backoff, 1.0, backoff, 0.0))
            .build();

    Result<String> result = caller.call("doomed", String.class, options, "x");

    assertThat(
            org.assertj.core.api.Assertions.catchThrowableOfType(
                    TaskFailedException.class, () -> result.await(BOUND))
                .error()
                .code())
        .isEqualTo(ErrorCode.TASK_FAILED);
    // Attempt 2 came back through the delay queues; its envelope kept the caller's trace.
    assertThat(workerSaw.traces).hasSize(2);
    assertThat(workerSaw.traces).allMatch(trace -> trace.traceId().equals(given.traceId()));
    // The dead letter's header was copied from attempt 2's message, which the requeue wrote.
    assertThat(peekTraceparentHeader(broker.names().deadQueue())).isEqualTo(given.toString());

    worker.close(); // so the retried dead letter stays on its queue to be looked at
    List<DeadLetter> letters = broker.deadLetters(10);
    assertThat(letters).hasSize(1);
    assertThat(broker.retryDeadLetter(letters.getFirst().id())).isTrue();
    assertThat(peekTraceparentHeader(broker.names().taskQueue("doomed")))
        .isEqualTo(given.toString());
  }

  /**
   * The {@code traceparent} header of the first message on {@code queue}, read without consuming
   * it: the message goes back to the queue when the peeking channel closes.
   */
  private static @Nullable String peekTraceparentHeader(String queue) throws Exception {
    try (Connection connection = AmqpBrokerTests.connection()) {
      Channel channel = connection.createChannel();
      long deadline = System.nanoTime() + BOUND.toNanos();
      GetResponse response = channel.basicGet(queue, false);
      while (response == null && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        response = channel.basicGet(queue, false);
      }
      assertThat(response).as("a message on %s", queue).isNotNull();
      GetResponse got = java.util.Objects.requireNonNull(response);
      Object header = got.getProps().getHeaders().get(AmqpBroker.TRACEPARENT);
      channel.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
      channel.close();
      return header == null ? null : header.toString();
    }
  }
}
