package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.time.ManualTimeSource;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the broker contract does not cover: delay precision, exact counts, recovery, errors. */
class AmqpBrokerTest {
  private static final String PREFIX = AmqpBrokerTests.uniquePrefix();
  private static final Duration BOUND = Duration.ofSeconds(10);

  private final List<AmqpBroker> brokers = new ArrayList<>();
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final SystemTimeSource systemTime = new SystemTimeSource("amqp-broker-test");

  @AfterEach
  void closeBrokers() throws Exception {
    subscriptions.forEach(Subscription::cancel);
    for (AmqpBroker broker : brokers) {
      broker.close();
      AmqpBrokerTests.deleteTaskQueues(broker);
    }
    systemTime.close();
  }

  @AfterAll
  static void deleteTopology() throws Exception {
    AmqpBrokerTests.deleteTopology(PREFIX);
  }

  private AmqpBroker broker(TimeSource time) {
    AmqpBroker broker =
        AmqpBroker.connect(
            AmqpTests.uri(),
            time,
            AmqpBroker.DEFAULT_LEASE,
            AmqpBroker.DEFAULT_LIVENESS_WINDOW,
            PREFIX);
    brokers.add(broker);
    return broker;
  }

  private static TaskEnvelope task(String queue, String id, Instant now, TaskOptions options) {
    return new TaskEnvelope(
        EnvelopeCodec.VERSION,
        new TaskKey(queue, id),
        queue,
        Marshallers.JSON,
        Marshallers.JSON,
        ("[\"" + id + "\"]").getBytes(UTF_8),
        1,
        options,
        now,
        null,
        null);
  }

  private static String queue(String name) {
    return "t" + Long.toHexString(System.nanoTime()) + "." + name;
  }

  /** Collects deliveries with the time each arrived. */
  private static final class Received implements dev.baton.tasks.spi.DeliveryHandler {
    record Arrival(Delivery delivery, TaskEnvelope task, Instant at) {}

    final LinkedBlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();

    @Override
    public void onDelivery(Delivery delivery) {
      arrivals.add(new Arrival(delivery, EnvelopeCodec.decodeTask(delivery.body()), Instant.now()));
    }

    Arrival next(String what) throws InterruptedException {
      Arrival arrival = arrivals.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      if (arrival == null) {
        throw new AssertionError("no delivery within " + BOUND + ": " + what);
      }
      return arrival;
    }
  }

  /** Records the broker's events. */
  private static final class Events implements AdapterContext {
    record Event(EventLevel level, EventCode code, String message) {}

    final List<Event> events = new CopyOnWriteArrayList<>();
    private final TimeSource time;

    Events(TimeSource time) {
      this.time = time;
    }

    @Override
    public TimeSource timeSource() {
      return time;
    }

    @Override
    public void emit(
        EventLevel level,
        EventCode code,
        String message,
        @Nullable TaskKey key,
        @Nullable Throwable cause) {
      events.add(new Event(level, code, message));
    }

    void await(EventLevel level, EventCode code, String contains) throws InterruptedException {
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (System.nanoTime() < deadline) {
        if (events.stream()
            .anyMatch(
                e -> e.level() == level && e.code() == code && e.message().contains(contains))) {
          return;
        }
        synchronized (this) {
          wait(10);
        }
      }
      throw new AssertionError(
          "no " + level + " " + code + " event containing '" + contains + "' in " + events);
    }
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    Object pause = new Object();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + BOUND + ": " + what);
      }
      synchronized (pause) {
        pause.wait(10);
      }
    }
  }

  @Test
  void routingKeyWritesTheDelayInBinaryMostSignificantDigitFirst() {
    String key = BrokerTopology.routingKey(5);
    assertThat(key.split("\\.", -1)).hasSize(32);
    assertThat(key).endsWith("0.1.0.1").startsWith("0.0.0");
    assertThat(BrokerTopology.entryLevel(5)).isEqualTo(2);
    assertThat(BrokerTopology.entryLevel(1)).isZero();
    assertThat(BrokerTopology.entryLevel(BrokerTopology.MAX_DELAY_MILLIS)).isEqualTo(31);
    assertThatThrownBy(() -> BrokerTopology.entryLevel(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Delays of a few hundred milliseconds, each through several levels of the cascade (300 = 256 +
   * 32 + 8 + 4, 455 = 256 + 128 + 64 + 4 + 2 + 1, 77 = 64 + 8 + 4 + 1), arrive no sooner than their
   * eta and soon after it, in eta order. "Soon" is 300 ms: on an idle server a task is some
   * milliseconds late, but each hop is a quorum-queue commit (a disk sync), and on a loaded machine
   * (load average 11, other builds running) four to six hops have taken 215 ms.
   */
  @Test
  void delayedTasksArriveAtTheirEtaNotBefore() throws Exception {
    AmqpBroker broker = broker(systemTime);
    String queue = queue("delays");
    broker.declare(queue);
    Received received = new Received();
    subscriptions.add(broker.subscribe(queue, 8, received));
    Instant now = systemTime.now();
    Map<String, Instant> etas = new HashMap<>();
    for (long millis : new long[] {300, 455, 77}) {
      Instant eta = now.plusMillis(millis);
      String id = "d" + millis;
      etas.put(id, eta);
      broker
          .send(task(queue, id, now, TaskOptions.builder().eta(eta).build()))
          .toCompletableFuture()
          .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Received.Arrival arrival = received.next("a delayed task");
      Instant eta = etas.get(arrival.task().id());
      assertThat(arrival.at()).as("arrival of %s", arrival.task().id()).isAfterOrEqualTo(eta);
      assertThat(Duration.between(eta, arrival.at()))
          .as("lateness of %s", arrival.task().id())
          .isLessThanOrEqualTo(Duration.ofMillis(300));
      assertThat(arrival.delivery().deliveryCount()).isEqualTo(1);
      order.add(arrival.task().id());
      arrival.delivery().ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }
    assertThat(order).containsExactly("d77", "d300", "d455");
  }

  /**
   * A task whose consumer's channel is closed by a channel error before it is settled comes back
   * (the broker's redelivered flag) with the exact count 2, on a channel the broker reopened and
   * consumes again, with WARNING and INFO events; the stale delivery's ack is harmless.
   */
  @Test
  void channelClosedByAnErrorIsReopenedAndItsTaskComesBackCountedOnce() throws Exception {
    AmqpBroker broker = broker(systemTime);
    Events events = new Events(systemTime);
    broker.attach(events);
    String queue = queue("channel");
    broker.declare(queue);
    Received received = new Received();
    subscriptions.add(broker.subscribe(queue, 4, received));
    Instant now = systemTime.now();
    broker
        .send(task(queue, "c1", now, TaskOptions.DEFAULTS))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    Received.Arrival first = received.next("the first delivery");
    assertThat(first.delivery().deliveryCount()).isEqualTo(1);

    // acknowledging a tag the channel never delivered is a channel error: the server closes it
    AmqpBroker.channelOf(first.delivery()).basicAck(999_999, false);

    events.await(EventLevel.WARNING, EventCode.CONNECTION, "closed the consumer channel");
    com.rabbitmq.client.Channel closed = AmqpBroker.channelOf(first.delivery());
    var recovering =
        (com.rabbitmq.client.impl.recovery.AutorecoveringConnection) broker.connection();
    awaitTrue(
        "the closed channel's consumer is forgotten, not recovered at the next reconnect",
        () ->
            recovering.getRecordedConsumers().values().stream()
                .noneMatch(c -> c.getChannel().equals(closed)));
    Received.Arrival again = received.next("the task after its channel closed");
    assertThat(again.task().id()).isEqualTo("c1");
    assertThat(again.delivery().deliveryCount()).as("count after one lost delivery").isEqualTo(2);
    events.await(EventLevel.INFO, EventCode.CONNECTION, "consuming " + queue + " again");

    first.delivery().ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    again.delivery().ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    broker
        .send(task(queue, "c2", now, TaskOptions.DEFAULTS))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    Received.Arrival next = received.next("a task sent after the reopening");
    assertThat(next.task().id()).as("nothing delivered twice").isEqualTo("c2");
    next.delivery().ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(received.arrivals).isEmpty();
  }

  /**
   * Messages the server had sent a subscription but it had not handed out when it was cancelled are
   * given back with their count unchanged: the next subscription receives them as first deliveries,
   * and the one handed out before the cancel can still be acknowledged.
   */
  @Test
  void tasksBufferedAtCancelAreGivenBackUncounted() throws Exception {
    AmqpBroker broker = broker(systemTime);
    String queue = queue("buffered");
    broker.declare(queue);
    for (int i = 1; i <= 4; i++) {
      broker
          .send(task(queue, "b" + i, systemTime.now(), TaskOptions.DEFAULTS))
          .toCompletableFuture()
          .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }
    java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
    LinkedBlockingQueue<Delivery> first = new LinkedBlockingQueue<>();
    Subscription blocked =
        broker.subscribe(
            queue,
            4,
            delivery -> {
              first.add(delivery);
              holding.countDown();
              try {
                // holds the client's consumer thread, so the other three wait in its buffer
                letGo.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    assertThat(holding.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    blocked.cancel();
    letGo.countDown();
    Delivery held = first.take();
    assertThat(EnvelopeCodec.decodeTask(held.body()).id()).isEqualTo("b1");

    Received received = new Received();
    subscriptions.add(broker.subscribe(queue, 4, received));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Received.Arrival arrival = received.next("a task given back at cancel");
      assertThat(arrival.delivery().deliveryCount())
          .as("count of %s", arrival.task().id())
          .isEqualTo(1);
      ids.add(arrival.task().id());
      arrival.delivery().ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }
    assertThat(ids).containsExactlyInAnyOrder("b2", "b3", "b4");
    held.ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(first).as("deliveries to the cancelled subscription after b1").isEmpty();
    assertThat(received.arrivals.poll(200, TimeUnit.MILLISECONDS))
        .as("a fifth delivery (b1 again, or a duplicate)")
        .isNull();
  }

  /**
   * After the server drops the broker's connection, the broker declares its queues again itself
   * (the client cannot: they were declared on channels closed long before), so a task queue lost
   * meanwhile exists again; a subscription's consumer is recovered and goes on consuming.
   */
  @Test
  void reconnectDeclaresTheQueuesAgainAndConsumingGoesOn() throws Exception {
    AmqpBroker broker = broker(systemTime);
    Events events = new Events(systemTime);
    broker.attach(events);
    String declared = queue("redeclared");
    broker.declare(declared);
    String consumed = queue("consumed");
    Received received = new Received();
    subscriptions.add(broker.subscribe(consumed, 2, received));
    String lost = broker.names().taskQueue(declared);
    AmqpBrokerTests.deleteQueue(lost);

    AmqpBackendTestQueues.closeConnection(
        ((com.rabbitmq.client.impl.NetworkConnection) broker.connection()).getLocalPort());
    events.await(EventLevel.INFO, EventCode.CONNECTION, "reconnected");

    try (com.rabbitmq.client.Connection check = AmqpBrokerTests.connection()) {
      awaitTrue(
          "the deleted task queue is declared again after the reconnect",
          () -> {
            try {
              com.rabbitmq.client.Channel channel = check.createChannel();
              channel.queueDeclarePassive(lost);
              channel.close();
              return true;
            } catch (java.io.IOException | java.util.concurrent.TimeoutException e) {
              return false; // 404: not there (yet); the channel is closed by it
            }
          });
    }
    broker
        .send(task(consumed, "after", systemTime.now(), TaskOptions.DEFAULTS))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    Received.Arrival arrival = received.next("a task sent after the reconnect");
    assertThat(arrival.task().id()).isEqualTo("after");
    arrival.delivery().ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(events.events)
        .as("no failure to declare again")
        .noneMatch(e -> e.message().contains("could not declare"));
  }

  /**
   * The stages a caller gets (send, revoke, a settlement) complete off the connection's thread, so
   * blocking work chained on them cannot stall the connection that has to answer it.
   */
  @Test
  void stagesHandedOutCompleteOffTheConnectionThread() throws Exception {
    AmqpBroker broker = broker(systemTime);
    String queue = queue("threads");
    broker.declare(queue);
    Received received = new Received();
    subscriptions.add(broker.subscribe(queue, 1, received));
    List<String> threads = new CopyOnWriteArrayList<>();
    broker
        .send(task(queue, "s1", systemTime.now(), TaskOptions.DEFAULTS))
        .whenComplete((v, e) -> threads.add("send: " + Thread.currentThread().getName()))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    broker
        .revoke(new TaskKey("threads", "r1"), systemTime.now().plusSeconds(60))
        .whenComplete((v, e) -> threads.add("revoke: " + Thread.currentThread().getName()))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    received
        .next("the task")
        .delivery()
        .release()
        .whenComplete((v, e) -> threads.add("release: " + Thread.currentThread().getName()))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    received
        .next("the released task")
        .delivery()
        .ack()
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(threads).hasSize(3).noneMatch(name -> name.contains("AMQP Connection"));
  }

  /**
   * A requeue whose next attempt no queue takes fails its stage, and the original is given back
   * (counted once more) instead of staying unacknowledged with its consumer for good.
   */
  @Test
  void requeueThatCannotBeStoredGivesTheOriginalBack() throws Exception {
    AmqpBroker broker = broker(systemTime);
    String queue = queue("requeue-lost");
    broker.declare(queue);
    Received received = new Received();
    subscriptions.add(broker.subscribe(queue, 1, received));
    broker
        .send(task(queue, "r1", systemTime.now(), TaskOptions.DEFAULTS))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    Received.Arrival first = received.next("the first delivery");

    TaskEnvelope next = task(queue("never-declared"), "r1", systemTime.now(), TaskOptions.DEFAULTS);
    assertThatThrownBy(
            () ->
                first
                    .delivery()
                    .requeue(next)
                    .toCompletableFuture()
                    .get(BOUND.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("no queue took");

    Received.Arrival again = received.next("the original, given back");
    assertThat(again.task().id()).isEqualTo("r1");
    assertThat(again.delivery().deliveryCount()).isEqualTo(2);
    again.delivery().ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The channel close RabbitMQ sends when a delivery outlives its consumer_timeout (as 3.10 words
   * it) is told apart from other channel errors, so the broker can say to raise the timeout.
   */
  @Test
  void consumerTimeoutCloseIsRecognised() {
    com.rabbitmq.client.Method timedOut =
        new com.rabbitmq.client.AMQP.Channel.Close.Builder()
            .replyCode(406)
            .replyText(
                "PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout"
                    + " value used: 1800000 ms. This timeout value can be configured, see"
                    + " consumers doc guide to learn more")
            .build();
    com.rabbitmq.client.Method otherError =
        new com.rabbitmq.client.AMQP.Channel.Close.Builder()
            .replyCode(406)
            .replyText("PRECONDITION_FAILED - unknown delivery tag 999999")
            .build();
    assertThat(
            AmqpBroker.consumerTimedOut(
                new com.rabbitmq.client.ShutdownSignalException(false, false, timedOut, null)))
        .isTrue();
    assertThat(
            AmqpBroker.consumerTimedOut(
                new com.rabbitmq.client.ShutdownSignalException(false, false, otherError, null)))
        .isFalse();
  }

  /** A second settlement of a delivery does nothing but emit a WARNING event. */
  @Test
  void secondSettlementIsIgnoredWithAWarning() throws Exception {
    AmqpBroker broker = broker(systemTime);
    Events events = new Events(systemTime);
    broker.attach(events);
    String queue = queue("twice");
    broker.declare(queue);
    Received received = new Received();
    subscriptions.add(broker.subscribe(queue, 1, received));
    broker
        .send(task(queue, "t1", systemTime.now(), TaskOptions.DEFAULTS))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    Delivery delivery = received.next("the delivery").delivery();
    delivery.ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    delivery.release().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    events.await(EventLevel.WARNING, EventCode.TASK_DELIVERY_FAILURE, "already settled");
    broker
        .send(task(queue, "t2", systemTime.now(), TaskOptions.DEFAULTS))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(received.next("the next task").task().id())
        .as("the released-after-ack task is not delivered again")
        .isEqualTo("t2");
  }

  /**
   * A delivery whose lease runs out is delivered again with count 2; its holder's late ack is
   * ignored with a WARNING event.
   */
  @Test
  void leaseThatRunsOutRedeliversAndTheLateAckIsIgnored() throws Exception {
    ManualTimeSource time = new ManualTimeSource(Instant.now());
    AmqpBroker broker = broker(time);
    Events events = new Events(time);
    broker.attach(events);
    String queue = queue("lease");
    broker.declare(queue);
    Received received = new Received();
    subscriptions.add(broker.subscribe(queue, 2, received));
    broker
        .send(task(queue, "l1", time.now(), TaskOptions.DEFAULTS))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    Delivery first = received.next("the first delivery").delivery();
    time.advance(AmqpBroker.DEFAULT_LEASE.plusSeconds(1));
    Delivery second = received.next("the delivery after the lease").delivery();
    assertThat(second.deliveryCount()).isEqualTo(2);
    events.await(EventLevel.WARNING, EventCode.TASK_DELIVERY_FAILURE, "lease");
    first.ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    events.await(EventLevel.WARNING, EventCode.TASK_DELIVERY_FAILURE, "after its lease ran out");
    second.ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A delayed task that comes out of the delays while the consumer's clock says its eta is still
   * ahead (clocks that disagree) is not handed out but delayed again, and is delivered once the
   * consumer's clock has passed the eta, as a first delivery.
   */
  @Test
  void taskArrivingBeforeItsEtaOnTheConsumersClockIsDelayedAgain() throws Exception {
    AmqpBroker sender = broker(systemTime);
    ManualTimeSource behind = new ManualTimeSource(Instant.now().minusSeconds(1));
    AmqpBroker consumer = broker(behind);
    String queue = queue("skew");
    sender.declare(queue);
    Received received = new Received();
    subscriptions.add(consumer.subscribe(queue, 1, received));
    Instant now = systemTime.now();
    sender
        .send(task(queue, "s1", now, TaskOptions.builder().eta(now.plusMillis(200)).build()))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(received.arrivals.poll(1_500, TimeUnit.MILLISECONDS))
        .as("a delivery while the consumer's clock is before the eta")
        .isNull();
    behind.advance(Duration.ofSeconds(2));
    Received.Arrival arrival = received.next("the task once the consumer's clock passed its eta");
    assertThat(arrival.task().id()).isEqualTo("s1");
    assertThat(arrival.delivery().deliveryCount()).isEqualTo(1);
    arrival.delivery().ack().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A delayed task whose queue does not exist when its delay ends is not lost: the deliver
   * exchange's alternate exchange makes it a dead letter naming the queue.
   */
  @Test
  void delayedTaskForAQueueThatIsGoneBecomesADeadLetter() throws Exception {
    AmqpBroker broker = broker(systemTime);
    String queue = queue("gone");
    Instant now = systemTime.now();
    TaskEnvelope sent =
        task(queue, "g1", now, TaskOptions.builder().eta(now.plusMillis(50)).build());
    broker.send(sent).toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    long deadline = System.nanoTime() + BOUND.toNanos();
    List<dev.baton.tasks.spi.DeadLetter> letters = List.of();
    while (letters.isEmpty() && System.nanoTime() < deadline) {
      letters =
          broker.deadLetters(10_000).stream().filter(d -> sent.key().equals(d.key())).toList();
    }
    assertThat(letters).as("dead letters of %s", sent.key()).hasSize(1);
    assertThat(letters.get(0).queue()).isEqualTo(queue);
    assertThat(letters.get(0).error().message()).contains(queue);
    assertThat(broker.discardDeadLetter(letters.get(0).id())).isTrue();
  }

  /** Without priority queues a priority is ignored, and the first such task of a queue says so. */
  @Test
  void aPriorityOnAQueueWithoutPrioritiesIsIgnoredWithOneWarning() throws Exception {
    AmqpBroker broker = broker(systemTime);
    Events events = new Events(systemTime);
    broker.attach(events);
    String queue = queue("plain");
    broker.declare(queue);
    TaskOptions urgent = TaskOptions.builder().priority(7).build();

    for (String id : List.of("p1", "p2")) {
      broker
          .send(task(queue, id, systemTime.now(), urgent))
          .toCompletableFuture()
          .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    events.await(EventLevel.WARNING, EventCode.GENERIC, "priorities are ignored");
    assertThat(events.events.stream().filter(e -> e.message().contains("priorities are ignored")))
        .hasSize(1)
        .allSatisfy(e -> assertThat(e.message()).contains(queue).contains("withPriorityQueues"));
  }

  /** Brokers of one prefix that disagree on priority queues get an error saying so. */
  @Test
  void aBrokerWithPrioritiesRefusesAQueueDeclaredWithout() {
    AmqpBroker plain = broker(systemTime);
    String queue = queue("mixed");
    plain.declare(queue);
    AmqpBroker prioritised =
        AmqpBroker.connect(
            AmqpTests.uri(),
            systemTime,
            AmqpBroker.Options.DEFAULTS.withPrefix(PREFIX).withPriorityQueues(true));
    brokers.add(prioritised);

    assertThatThrownBy(() -> prioritised.declare(queue))
        .hasMessageContaining("exists without priorities")
        .hasMessageContaining("same priorityQueues option");
  }

  /** A task sent to a queue nobody declared fails its stage as unroutable. */
  @Test
  void taskToAnUndeclaredQueueFailsItsSend() {
    AmqpBroker broker = broker(systemTime);
    String queue = queue("nowhere");
    assertThatThrownBy(
            () ->
                broker
                    .send(task(queue, "u1", systemTime.now(), TaskOptions.DEFAULTS))
                    .toCompletableFuture()
                    .get(BOUND.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(AmqpPublishException.class)
        .satisfies(e -> assertThat(((AmqpPublishException) e).unroutable()).isTrue());
  }

  /** Revocations reach a broker that starts after them. */
  @Test
  void revocationIsSeenByABrokerThatStartsLater() throws Exception {
    AmqpBroker first = broker(systemTime);
    TaskKey key = new TaskKey(queue("revoked"), "r1");
    first
        .revoke(key, systemTime.now().plus(Duration.ofHours(1)))
        .toCompletableFuture()
        .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    AmqpBroker later = broker(systemTime);
    assertThat(later.isRevoked(key)).isTrue();
    assertThat(later.isRevoked(new TaskKey(key.name(), "r2"))).isFalse();
  }

  /**
   * A heartbeat is seen by a broker that starts after it (read from the heartbeat stream); one
   * older than the liveness window is not shown.
   */
  @Test
  void heartbeatsAreSeenByALaterInspectorWithinTheLivenessWindow() {
    AmqpBroker worker = broker(systemTime);
    String live = queue("live-worker");
    String old = queue("old-worker");
    Instant now = systemTime.now();
    worker.heartbeat(
        new dev.baton.tasks.spi.WorkerHeartbeat(live, java.util.Set.of(queue("q")), 2, 8, now));
    worker.heartbeat(
        new dev.baton.tasks.spi.WorkerHeartbeat(
            old,
            java.util.Set.of(queue("q")),
            0,
            8,
            now.minus(AmqpBroker.DEFAULT_LIVENESS_WINDOW).minusSeconds(1)));
    // the worker's own view waits for its heartbeats to be stored, so the later broker finds them
    assertThat(worker.workers()).extracting(w -> w.workerId()).contains(live);
    AmqpBroker inspector = broker(systemTime);
    List<dev.baton.tasks.spi.WorkerHeartbeat> workers = inspector.workers();
    assertThat(workers)
        .filteredOn(w -> w.workerId().equals(live))
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.busy()).isEqualTo(2);
              assertThat(w.capacity()).isEqualTo(8);
            });
    assertThat(workers).extracting(w -> w.workerId()).doesNotContain(old);
  }

  @Test
  void badUriIsRefusedWithAClearError() {
    assertThatThrownBy(() -> AmqpBroker.connect(URI.create("redis://127.0.0.1:5672"), systemTime))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("amqp://");
  }

  @Test
  void unreachableServerIsAClearErrorWithoutThePassword() {
    assertThatThrownBy(
            () -> AmqpBroker.connect(URI.create("amqp://guest:secret@127.0.0.1:1/%2F"), systemTime))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot connect to RabbitMQ at amqp://guest:***@127.0.0.1:1")
        .hasMessageNotContaining("secret");
  }
}
