package dev.baton.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the shared-queue contract does not see: a shared-queue broker and a per-name broker on one
 * server keep out of each other's queues. Every wait is bounded.
 */
class RedisSharedQueueBrokerTest {

  private static final Duration BOUND = Duration.ofSeconds(30);

  private final String prefix =
      "ct" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ".";
  private final String sharedQueue = prefix + "shared";
  private final SystemTimeSource time = new SystemTimeSource();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    try {
      for (AutoCloseable c : closeables.reversed()) {
        c.close();
      }
      time.close();
    } finally {
      RedisTests.deleteKeys(prefix);
    }
  }

  @Test
  void taskOfAnyQueueGoesToTheSharedQueueAndInspectionShowsOnlyThatQueue() throws Exception {
    RedisSharedQueueBroker shared = shared();
    RedisBroker named = named();
    String namedQueue = prefix + "named";
    named.declare(namedQueue);
    join(named.send(task(namedQueue, "n1")), "send to the named queue");

    join(shared.send(task(prefix + "elsewhere", "s1")), "send through the shared broker");

    assertThat(shared.queues())
        .as("the shared broker's queues")
        .containsExactly(new QueueStats(sharedQueue, 1, 0, 0, 0));
    assertThat(named.queues().stream().map(QueueStats::queue).filter(q -> q.startsWith(prefix)))
        .as("the test's queues seen by the per-name broker")
        .containsExactlyInAnyOrder(sharedQueue, namedQueue);
  }

  @Test
  void deadLetterOfAnotherQueueIsNeitherListedNorRetriedNorDiscardedByTheSharedBroker()
      throws Exception {
    RedisSharedQueueBroker shared = shared();
    RedisBroker named = named();
    String namedQueue = prefix + "named";
    TaskEnvelope task = task(namedQueue, "d1");
    named.declare(namedQueue);
    LinkedBlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    closeables.add(named.subscribe(namedQueue, 1, inbox::add)::cancel);
    join(named.send(task), "send");
    Delivery delivery = inbox.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(delivery).as("the delivery within " + BOUND).isNotNull();
    join(delivery.deadLetter(new TaskError(ErrorCode.GENERIC, "dead")), "deadLetter");
    List<DeadLetter> letters = lettersOf(named.deadLetters(10_000), task.key());
    assertThat(letters).as("dead letters of the per-name broker").hasSize(1);
    String id = letters.get(0).id();

    assertThat(lettersOf(shared.deadLetters(10_000), task.key()))
        .as("the other queue's dead letter listed by the shared broker")
        .isEmpty();
    assertThat(shared.retryDeadLetter(id)).as("retried by the shared broker").isFalse();
    assertThat(shared.discardDeadLetter(id)).as("discarded by the shared broker").isFalse();
    assertThat(named.discardDeadLetter(id)).as("still there for its own broker").isTrue();
  }

  private RedisSharedQueueBroker shared() {
    RedisSharedQueueBroker broker =
        RedisSharedQueueBroker.connect(
            RedisTests.uri(),
            time,
            sharedQueue,
            RedisBroker.DEFAULT_LEASE,
            RedisBroker.DEFAULT_LIVENESS_WINDOW);
    closeables.add(broker);
    return broker;
  }

  private RedisBroker named() {
    RedisBroker broker = RedisBroker.connect(RedisTests.uri(), time);
    closeables.add(broker);
    return broker;
  }

  private TaskEnvelope task(String queue, String id) {
    return new TaskEnvelope(
        EnvelopeCodec.VERSION,
        new TaskKey(queue, id),
        queue,
        Marshallers.JSON,
        Marshallers.JSON,
        "[1]".getBytes(UTF_8),
        1,
        TaskOptions.DEFAULTS,
        time.now(),
        null,
        null);
  }

  private static List<DeadLetter> lettersOf(List<DeadLetter> letters, TaskKey key) {
    return letters.stream().filter(d -> key.equals(d.key())).toList();
  }

  private static void join(CompletionStage<Void> stage, String what) throws Exception {
    try {
      var _ = stage.toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + BOUND, e);
    }
  }
}
