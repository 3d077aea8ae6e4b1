package dev.baton.testkit;

import static dev.baton.testkit.Contracts.join;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.NamedTaskConsumer;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.tasks.spi.WorkerHeartbeat;
import dev.baton.testing.TestNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a broker: a {@link TaskProducer} and a {@link NamedTaskConsumer} (one queue per
 * task name, the default layout). It re-creates the seed's BrokerTestSuite (B1 basic, B2 named
 * queues keep per-queue FIFO order, B3 every task delivered exactly once, B4 roles the broker does
 * not implement are refused) and adds what the SPI promises beyond the seed: tasks sent before any
 * consumer are kept, deliveries are settled by ack, release, requeue or dead-letter, redeliveries
 * count up, leases run out, delays and priorities hold, revocations and heartbeats are recorded.
 *
 * <h2>How an adapter uses it</h2>
 *
 * <p>Extend it in the adapter's tests and implement {@link #producer()} and {@link
 * #namedConsumer()} (usually the same object); open and close the broker in your own
 * {@code @BeforeEach}/{@code @AfterEach}. The suite calls the factory methods only from test
 * bodies, after every {@code @BeforeEach} has run, and cancels every subscription it opened before
 * the test method returns, so your {@code @AfterEach} may close the broker.
 *
 * <pre>{@code
 * class RedisBrokerContractTest extends BrokerContract {
 *   private RedisBroker broker;
 *
 *   @BeforeEach
 *   void connect() { broker = RedisBroker.connect(REDIS_URI); }
 *
 *   @AfterEach
 *   void disconnect() { broker.close(); }
 *
 *   @Override protected TaskProducer producer() { return broker; }
 *   @Override protected NamedTaskConsumer namedConsumer() { return broker; }
 * }
 * }</pre>
 *
 * <p>Also required: {@link #advanceTime(Duration)} (move the broker's clock, so lease expiries and
 * delays pass). Optional hooks: {@link #newQueuePrefix()} (queues of one test never collide with
 * another's on a shared broker; {@link #queuePrefix()} tells your {@code @AfterEach} what to
 * delete), {@link #now()} (the broker's clock, if not the system's), {@link #inspection()} (found
 * by {@code instanceof} by default; a broker without one fails the inspection and dead-letter
 * tests, since every broker must have it) and {@link #awaitBound()}.
 *
 * <p>"Exactly once" and "per-queue FIFO" are checked for runs without failures, retries, delays or
 * priorities, as the design states; every wait is bounded, no test sleeps.
 */
public abstract class BrokerContract {

  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private String prefix = "";

  /** For subclasses: the adapter's test class. */
  protected BrokerContract() {}

  /** The producer under test. Called from test bodies only, possibly many times. */
  protected abstract TaskProducer producer();

  /**
   * The named consumer under test, fed by {@link #producer()}; usually the same object. Called from
   * test bodies only, possibly many times.
   */
  protected abstract NamedTaskConsumer namedConsumer();

  /**
   * A fresh queue-name prefix for one test, so tests never see each other's tasks on a shared
   * broker; called before each test. By default {@code "ct"}, 8 random hex digits and a dot.
   */
  protected String newQueuePrefix() {
    return Contracts.uniquePrefix();
  }

  /** How long any single wait of a test may take before the test fails. 10 seconds. */
  protected Duration awaitBound() {
    return Duration.ofSeconds(10);
  }

  /**
   * The broker's current time, used for envelopes' created-at, etas and lease arithmetic. The
   * system clock by default; override when the broker runs on another {@code TimeSource}.
   */
  protected Instant now() {
    return Instant.now();
  }

  /**
   * Moves the broker's clock forward by {@code duration}, running whatever falls due (lease
   * expiries, delayed tasks). Every adapter says how: a broker on a manual {@code TimeSource}
   * advances it; a broker on real time waits (with a bound) until its own clock has moved that far,
   * and should run its tests with short leases. Nothing is skipped: a broker whose leases or delays
   * cannot pass fails these tests.
   */
  protected abstract void advanceTime(Duration duration) throws InterruptedException;

  /**
   * The broker's inspection API, if it has one: by default {@link #namedConsumer()} or {@link
   * #producer()} when either implements {@link BrokerInspection}. Tests that need it fail without
   * it.
   */
  protected Optional<BrokerInspection> inspection() {
    if (namedConsumer() instanceof BrokerInspection inspection) {
      return Optional.of(inspection);
    }
    if (producer() instanceof BrokerInspection inspection) {
      return Optional.of(inspection);
    }
    return Optional.empty();
  }

  /** The current test's queue-name prefix (for an {@code @AfterEach} that deletes its queues). */
  protected final String queuePrefix() {
    return prefix;
  }

  /** {@code name} under the current test's prefix. */
  protected final String queue(String name) {
    return prefix + name;
  }

  /** Chooses this test's prefix; JUnit runs it before the subclass's own {@code @BeforeEach}. */
  @BeforeEach
  protected final void choosePrefix() {
    prefix = newQueuePrefix();
  }

  // ---- the seed's B1-B4 ----

  /** B1: the bytes sent are the bytes received, they decode to the same task, and ack settles. */
  @Test
  public void sentTaskArrivesAsTheSameBytesAndIsSettledByAck() throws Exception {
    String queue = queue("basic");
    TaskEnvelope sent =
        new TaskEnvelope(
            EnvelopeCodec.VERSION,
            new TaskKey(queue, "00000000-0000-0000-0000-000000000001"),
            queue,
            Marshallers.JSON,
            Marshallers.SMILE,
            "[1,\"one\"]".getBytes(UTF_8),
            1,
            TaskOptions.builder().monitorProgress(true).timeout(Duration.ofMinutes(1)).build(),
            now(),
            TRACEPARENT,
            "reply." + queue);
    byte[] bytes = EnvelopeCodec.encode(sent);
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(queue);
      Inbox inbox = new Inbox(false, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 1, inbox));
      send(sent);

      Inbox.Received received = inbox.next(awaitBound(), "the task sent to " + queue);
      assertThat(received.delivery().body()).as("the delivered bytes").isEqualTo(bytes);
      assertThat(received.delivery().queue()).isEqualTo(queue);
      assertThat(received.delivery().deliveryCount()).as("deliveryCount").isEqualTo(1);
      Contracts.assertSameTask(received.task(), sent);
      join(received.delivery().ack(), awaitBound(), "ack");
      assertQueueSettled(queue);
    }
  }

  /**
   * B2: five consumers, each on its own queue; 256 tasks sent round-robin over the queues. Each
   * consumer receives only its own queue's tasks, in the order they were sent, and nothing is left.
   */
  @Test
  public void namedQueuesDeliverOnlyTheirOwnTasksInSendOrder() throws Exception {
    int consumers = 5;
    int tasks = 256;
    List<String> queues = new ArrayList<>();
    List<Inbox> inboxes = new ArrayList<>();
    try (Subscriptions subscriptions = new Subscriptions()) {
      for (int i = 0; i < consumers; i++) {
        String queue = queue("named." + i);
        queues.add(queue);
        producer().declare(queue);
        Inbox inbox = new Inbox(true, queuePrefix());
        inboxes.add(inbox);
        subscriptions.add(namedConsumer().subscribe(queue, 8, inbox));
      }
      List<List<String>> expected = new ArrayList<>();
      for (int i = 0; i < consumers; i++) {
        expected.add(new ArrayList<>());
      }
      for (int j = 0; j < tasks; j++) {
        int i = j % consumers;
        String id = seedId(j);
        send(envelope(queues.get(i), id));
        expected.get(i).add(id);
      }
      for (int i = 0; i < consumers; i++) {
        String queue = queues.get(i);
        List<Inbox.Received> received =
            inboxes.get(i).take(expected.get(i).size(), awaitBound(), "the tasks of " + queue);
        assertThat(received)
            .as("queues the consumer of %s received from", queue)
            .allSatisfy(
                r -> {
                  assertThat(r.delivery().queue()).isEqualTo(queue);
                  assertThat(r.task().name()).isEqualTo(queue);
                });
        assertThat(received.stream().map(r -> r.task().id()).toList())
            .as("ids the consumer of %s received, in order", queue)
            .containsExactlyElementsOf(expected.get(i));
      }
      for (int i = 0; i < consumers; i++) {
        inboxes.get(i).joinAcks(awaitBound());
        assertThat(inboxes.get(i).extra())
            .as("tasks beyond those sent to %s", queues.get(i))
            .isEmpty();
        assertQueueSettled(queues.get(i));
      }
    }
  }

  /**
   * B3: five consumers compete on one queue for 256 tasks; every task is delivered exactly once
   * (the count per id is 1), each as a first delivery.
   */
  @Test
  public void everyTaskIsDeliveredExactlyOnceAmongCompetingConsumers() throws Exception {
    int consumers = 5;
    int tasks = 256;
    String queue = queue("shared");
    Inbox inbox = new Inbox(true, queuePrefix());
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(queue);
      for (int i = 0; i < consumers; i++) {
        subscriptions.add(namedConsumer().subscribe(queue, 8, inbox));
      }
      for (int j = 0; j < tasks; j++) {
        send(envelope(queue, seedId(j)));
      }
      List<Inbox.Received> received = inbox.take(tasks, awaitBound(), "the tasks of " + queue);
      inbox.joinAcks(awaitBound());
      Map<String, Integer> countPerId = new HashMap<>();
      for (Inbox.Received r : received) {
        countPerId.merge(r.task().id(), 1, Integer::sum);
      }
      assertThat(countPerId).as("deliveries per id").hasSize(tasks);
      assertThat(countPerId.values()).as("deliveries per id").containsOnly(1);
      assertThat(received.stream().map(r -> r.delivery().deliveryCount()))
          .as("deliveryCount of each")
          .containsOnly(1);
      assertThat(inbox.extra()).as("deliveries beyond the %d sent", tasks).isEmpty();
      assertQueueSettled(queue);
    }
  }

  /**
   * B4: a remote app refuses to attach the broker as a reporter or a store (or any other role it
   * does not implement), one role at a time and all together; attached without roles it is found to
   * be a producer and a named consumer.
   */
  @Test
  public void brokerIsRefusedForRolesItDoesNotImplement() {
    Set<Role> notBrokerRoles = EnumSet.of(Role.REPORTER, Role.STORE, Role.CONSUMER);
    Object producer = producer();
    Object namedConsumer = namedConsumer();
    Contracts.assertRefusesMissingRoles(producer, notBrokerRoles);
    if (!Contracts.sameObject(namedConsumer, producer)) {
      Contracts.assertRefusesMissingRoles(namedConsumer, notBrokerRoles);
    }
    try (TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).build()) {
      Set<Role> detected = app.use(producer);
      assertThat(detected).as("roles detected on the producer").contains(Role.PRODUCER);
      if (Contracts.sameObject(namedConsumer, producer)) {
        assertThat(detected).as("roles detected on the broker").contains(Role.NAMED_CONSUMER);
      }
    }
    if (!Contracts.sameObject(namedConsumer, producer)) {
      try (TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).build()) {
        assertThat(app.use(namedConsumer))
            .as("roles detected on the named consumer")
            .contains(Role.NAMED_CONSUMER);
      }
    }
  }

  // ---- beyond the seed: what every real adapter must also do ----

  /**
   * The declare hook: tasks sent before anyone subscribes are kept, in order, for the first one.
   */
  @Test
  public void tasksSentBeforeAnyConsumerAreKeptForTheFirstOne() throws Exception {
    String queue = queue("early");
    producer().declare(queue);
    for (int j = 0; j < 3; j++) {
      send(envelope(queue, seedId(j)));
    }
    try (Subscriptions subscriptions = new Subscriptions()) {
      Inbox inbox = new Inbox(true, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 8, inbox));
      List<Inbox.Received> received =
          inbox.take(3, awaitBound(), "the tasks sent before subscribing");
      assertThat(received.stream().map(r -> r.task().id()))
          .containsExactly(seedId(0), seedId(1), seedId(2));
      inbox.joinAcks(awaitBound());
      assertQueueSettled(queue);
    }
  }

  /** Release gives an unsettled task back to its queue at once, for any consumer. */
  @Test
  public void releasedTaskIsDeliveredAgain() throws Exception {
    String queue = queue("release");
    TaskEnvelope sent = envelope(queue, seedId(1));
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(queue);
      Inbox inbox = new Inbox(false, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 1, inbox));
      send(sent);
      Inbox.Received first = inbox.next(awaitBound(), "the first delivery");
      join(first.delivery().release(), awaitBound(), "release");
      Inbox.Received second = inbox.next(awaitBound(), "the delivery after release");
      Contracts.assertSameTask(second.task(), sent);
      join(second.delivery().ack(), awaitBound(), "ack");
      assertQueueSettled(queue);
    }
  }

  /**
   * A task delivered again counts up {@link Delivery#deliveryCount()}: 1 the first time, more after
   * a release (the app bounds how often a shared-queue worker gives a task back by it).
   */
  @Test
  public void redeliveryAfterReleaseHasAHigherDeliveryCount() throws Exception {
    String queue = queue("count");
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(queue);
      Inbox inbox = new Inbox(false, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 1, inbox));
      send(envelope(queue, seedId(1)));
      Inbox.Received first = inbox.next(awaitBound(), "the first delivery");
      assertThat(first.delivery().deliveryCount()).as("first deliveryCount").isEqualTo(1);
      join(first.delivery().release(), awaitBound(), "release");
      Inbox.Received second = inbox.next(awaitBound(), "the delivery after release");
      assertThat(second.delivery().deliveryCount())
          .as("deliveryCount after a release")
          .isGreaterThan(1);
      join(second.delivery().ack(), awaitBound(), "ack");
    }
  }

  /**
   * A delivery that is not settled before its lease runs out is delivered again, with a higher
   * delivery count: what makes a dead worker's task come back. Needs {@link #advanceTime}.
   */
  @Test
  public void unsettledTaskIsDeliveredAgainWhenItsLeaseRunsOut() throws Exception {
    String queue = queue("lease");
    TaskEnvelope sent = envelope(queue, seedId(1));
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(queue);
      Inbox inbox = new Inbox(false, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 2, inbox));
      send(sent);
      Inbox.Received first = inbox.next(awaitBound(), "the first delivery");
      Instant expiry = first.delivery().leaseExpiresAt();
      assertThat(expiry).as("lease expiry").isAfter(now().minusSeconds(1));
      advanceTime(Duration.between(now(), expiry).plusSeconds(1));
      Inbox.Received again = inbox.next(awaitBound(), "the delivery after the lease ran out");
      Contracts.assertSameTask(again.task(), sent);
      assertThat(again.delivery().deliveryCount()).isGreaterThan(1);
      join(again.delivery().ack(), awaitBound(), "ack");
      assertQueueSettled(queue);
    }
  }

  /** Renewing a lease moves its expiry to the extension from now. */
  @Test
  public void renewingALeaseMovesItsExpiry() throws Exception {
    String queue = queue("renew");
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(queue);
      Inbox inbox = new Inbox(false, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 1, inbox));
      send(envelope(queue, seedId(1)));
      Delivery delivery = inbox.next(awaitBound(), "the delivery").delivery();
      Instant before = delivery.leaseExpiresAt();
      Instant floor = now().plus(Duration.ofHours(1));
      join(delivery.renewLease(Duration.ofHours(1)), awaitBound(), "renewLease");
      assertThat(delivery.leaseExpiresAt())
          .as("lease expiry after renewing for an hour (it was %s)", before)
          .isAfterOrEqualTo(floor.minusSeconds(1));
      join(delivery.ack(), awaitBound(), "ack");
    }
  }

  /**
   * Requeue replaces the task with its next attempt, delivered once its eta is reached; the
   * replaced attempt is gone.
   */
  @Test
  public void requeueDeliversTheNextAttemptInPlaceOfTheCurrent() throws Exception {
    String queue = queue("requeue");
    TaskEnvelope sent = envelope(queue, seedId(1));
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(queue);
      Inbox inbox = new Inbox(false, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 2, inbox));
      send(sent);
      Inbox.Received first = inbox.next(awaitBound(), "the first attempt");
      TaskEnvelope next = first.task().nextAttempt(now());
      join(first.delivery().requeue(next), awaitBound(), "requeue");
      Inbox.Received second = inbox.next(awaitBound(), "the second attempt");
      assertThat(second.task().key()).isEqualTo(sent.key());
      assertThat(second.task().attempt()).as("attempt").isEqualTo(2);
      Contracts.assertSameTask(second.task(), next);
      join(second.delivery().ack(), awaitBound(), "ack");
      assertQueueSettled(queue);
    }
  }

  /**
   * A task whose eta is in the future waits in the broker (shown as delayed where the broker can be
   * inspected) and is delivered once the eta passes. Needs {@link #advanceTime}.
   */
  @Test
  public void taskWithAFutureEtaIsDeliveredOnceItPasses() throws Exception {
    String queue = queue("delayed");
    Instant eta = now().plus(Duration.ofMinutes(1));
    TaskEnvelope sent = envelope(queue, seedId(1), TaskOptions.builder().eta(eta).build());
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(queue);
      Inbox inbox = new Inbox(true, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 1, inbox));
      send(sent);
      Optional<QueueStats> stats = stats(queue);
      stats.ifPresent(
          s -> {
            assertThat(s.delayed()).as("delayed tasks in %s", queue).isEqualTo(1);
            assertThat(s.ready()).as("ready tasks in %s", queue).isZero();
          });
      assertThat(inbox.extra()).as("deliveries before the eta").isEmpty();
      advanceTime(Duration.between(now(), eta).plusSeconds(1));
      Inbox.Received received = inbox.next(awaitBound(), "the delayed task");
      Contracts.assertSameTask(received.task(), sent);
      inbox.joinAcks(awaitBound());
      assertQueueSettled(queue);
    }
  }

  /** Within one queue, a waiting task of higher priority is delivered before a lower one. */
  @Test
  public void higherPriorityTaskIsDeliveredFirstWithinAQueue() throws Exception {
    String queue = queue("priority");
    producer().declare(queue);
    send(envelope(queue, seedId(1), TaskOptions.builder().priority(0).build()));
    send(
        envelope(
            queue, seedId(2), TaskOptions.builder().priority(TaskOptions.MAX_PRIORITY).build()));
    send(envelope(queue, seedId(3), TaskOptions.builder().priority(5).build()));
    try (Subscriptions subscriptions = new Subscriptions()) {
      Inbox inbox = new Inbox(true, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 1, inbox));
      List<Inbox.Received> received = inbox.take(3, awaitBound(), "the prioritised tasks");
      assertThat(received.stream().map(r -> r.task().id()))
          .as("ids in delivery order (priorities 0, 9, 5 sent in that order)")
          .containsExactly(seedId(2), seedId(3), seedId(1));
      inbox.joinAcks(awaitBound());
    }
  }

  /**
   * A subscription holds at most {@code prefetch} unsettled deliveries; settling one lets the next
   * in. Checked against inspection where the broker has it.
   */
  @Test
  public void prefetchBoundsUnsettledDeliveries() throws Exception {
    String queue = queue("prefetch");
    producer().declare(queue);
    for (int j = 0; j < 5; j++) {
      send(envelope(queue, seedId(j)));
    }
    try (Subscriptions subscriptions = new Subscriptions()) {
      Inbox inbox = new Inbox(false, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 2, inbox));
      List<Inbox.Received> firstTwo = inbox.take(2, awaitBound(), "the first two deliveries");
      stats(queue)
          .ifPresent(
              s -> {
                assertThat(s.unacked()).as("unacked in %s with prefetch 2", queue).isEqualTo(2);
                assertThat(s.ready()).as("ready in %s", queue).isEqualTo(3);
              });
      assertThat(inbox.extra()).as("deliveries beyond the prefetch of 2").isEmpty();
      join(firstTwo.get(0).delivery().ack(), awaitBound(), "ack");
      Inbox.Received third = inbox.next(awaitBound(), "the delivery let in by the ack");
      assertThat(third.task().id()).isEqualTo(seedId(2));
      join(firstTwo.get(1).delivery().ack(), awaitBound(), "ack");
      join(third.delivery().ack(), awaitBound(), "ack");
      for (Inbox.Received rest : inbox.take(2, awaitBound(), "the last two deliveries")) {
        join(rest.delivery().ack(), awaitBound(), "ack");
      }
      assertQueueSettled(queue);
    }
  }

  /**
   * A delivery handed out before its subscription was cancelled stays with its holder and can still
   * be acked; later tasks go to other subscriptions, and the acked one is not redelivered.
   */
  @Test
  public void deliveryHandedOutBeforeCancelCanStillBeAcked() throws Exception {
    String queue = queue("cancel");
    producer().declare(queue);
    try (Subscriptions subscriptions = new Subscriptions()) {
      Inbox first = new Inbox(false, queuePrefix());
      Subscription subscription = namedConsumer().subscribe(queue, 1, first);
      subscriptions.add(subscription);
      send(envelope(queue, seedId(1)));
      Inbox.Received held = first.next(awaitBound(), "the delivery before cancel");
      subscription.cancel();
      join(held.delivery().ack(), awaitBound(), "ack after cancel");

      Inbox second = new Inbox(true, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 1, second));
      send(envelope(queue, seedId(2)));
      Inbox.Received next = second.next(awaitBound(), "the task sent after cancel");
      assertThat(next.task().id()).as("the acked task is not delivered again").isEqualTo(seedId(2));
      second.joinAcks(awaitBound());
      assertQueueSettled(queue);
    }
  }

  /**
   * A dead-lettered task is listed with its queue, key and error and counted in its queue's stats;
   * retrying puts it back as a fresh delivery (attempt 1). Needs {@link BrokerInspection}.
   */
  @Test
  public void deadLetteredTaskIsListedAndCanBeRetried() throws Exception {
    BrokerInspection inspection = requireInspection();
    String queue = queue("dead");
    TaskEnvelope sent = envelope(queue, seedId(1));
    TaskError error = new TaskError(ErrorCode.TASK_FAILED, queue + " failed: boom");
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(queue);
      Inbox inbox = new Inbox(false, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 1, inbox));
      send(sent);
      Inbox.Received received = inbox.next(awaitBound(), "the task to dead-letter");
      join(received.delivery().deadLetter(error), awaitBound(), "deadLetter");

      DeadLetter letter = deadLetterOf(inspection, sent.key());
      assertThat(letter.queue()).isEqualTo(queue);
      assertThat(letter.error()).isEqualTo(error);
      Contracts.assertSameTask(EnvelopeCodec.decodeTask(letter.body()), sent);
      stats(queue)
          .ifPresent(
              s -> {
                assertThat(s.deadLetters()).as("dead letters of %s", queue).isEqualTo(1);
                assertThat(s.ready() + s.unacked()).as("ready + unacked in %s", queue).isZero();
              });

      assertThat(inspection.retryDeadLetter(letter.id())).as("retryDeadLetter").isTrue();
      Inbox.Received retried = inbox.next(awaitBound(), "the retried dead letter");
      assertThat(retried.task().key()).isEqualTo(sent.key());
      assertThat(retried.task().attempt()).as("attempt of a retried dead letter").isEqualTo(1);
      join(retried.delivery().ack(), awaitBound(), "ack");
      assertThat(deadLettersOf(inspection, queue))
          .as("dead letters of %s after retry", queue)
          .isEmpty();
      assertThat(inspection.retryDeadLetter(letter.id())).as("retrying it twice").isFalse();
      assertQueueSettled(queue);
    }
  }

  /** A discarded dead letter is gone for good. Needs {@link BrokerInspection}. */
  @Test
  public void discardedDeadLetterIsGone() throws Exception {
    BrokerInspection inspection = requireInspection();
    String queue = queue("discard");
    TaskEnvelope sent = envelope(queue, seedId(1));
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(queue);
      Inbox inbox = new Inbox(false, queuePrefix());
      subscriptions.add(namedConsumer().subscribe(queue, 1, inbox));
      send(sent);
      Inbox.Received received = inbox.next(awaitBound(), "the task to dead-letter");
      join(
          received.delivery().deadLetter(new TaskError(ErrorCode.DECODE, "bad payload")),
          awaitBound(),
          "deadLetter");
      DeadLetter letter = deadLetterOf(inspection, sent.key());
      assertThat(inspection.discardDeadLetter(letter.id())).as("discardDeadLetter").isTrue();
      assertThat(deadLettersOf(inspection, queue)).as("dead letters after discard").isEmpty();
      assertThat(inspection.discardDeadLetter(letter.id())).as("discarding it twice").isFalse();
      assertThat(inspection.retryDeadLetter(letter.id())).as("retrying a discarded one").isFalse();
      assertThat(inbox.extra()).as("deliveries after the discard").isEmpty();
    }
  }

  /** Revocation is recorded per (name, id): the same id under another name is not revoked. */
  @Test
  public void revocationIsSeenByConsumersForThatNameAndIdOnly() throws Exception {
    TaskKey revoked = new TaskKey(queue("revoke.a"), "7");
    join(
        producer().revoke(revoked, now().plus(Duration.ofHours(1))),
        awaitBound(),
        "revoke " + revoked);
    assertThat(namedConsumer().isRevoked(revoked)).as("isRevoked(%s)", revoked).isTrue();
    TaskKey sameIdOtherName = new TaskKey(queue("revoke.b"), "7");
    assertThat(namedConsumer().isRevoked(sameIdOtherName))
        .as("isRevoked(%s)", sameIdOtherName)
        .isFalse();
    TaskKey otherId = new TaskKey(queue("revoke.a"), "8");
    assertThat(namedConsumer().isRevoked(otherId)).as("isRevoked(%s)", otherId).isFalse();
  }

  /** A worker's heartbeat is listed by inspection. Needs {@link BrokerInspection}. */
  @Test
  public void heartbeatShowsTheWorkerInInspection() {
    BrokerInspection inspection = requireInspection();
    String workerId = queue("worker");
    WorkerHeartbeat heartbeat = new WorkerHeartbeat(workerId, Set.of(queue("hb")), 1, 4, now());
    namedConsumer().heartbeat(heartbeat);
    // A heartbeat may be stored asynchronously (RabbitMQ publishes it from a virtual thread).
    TestNode.awaitCondition(
        "inspection to list the worker " + workerId,
        () -> inspection.workers().stream().anyMatch(w -> w.workerId().equals(workerId)));
    assertThat(inspection.workers())
        .as("workers listed after a heartbeat of %s", workerId)
        .filteredOn(w -> w.workerId().equals(workerId))
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.queues()).isEqualTo(heartbeat.queues());
              assertThat(w.busy()).isEqualTo(1);
              assertThat(w.capacity()).isEqualTo(4);
            });
  }

  // ---- helpers ----

  /** The seed's ids: {@code 00000000-0000-0000-0000-} and {@code j} in 12 digits. */
  protected static String seedId(int j) {
    return String.format("00000000-0000-0000-0000-%012d", j);
  }

  /** A first attempt of the task {@code queue} (the name is the queue) with default options. */
  protected final TaskEnvelope envelope(String queue, String id) {
    return envelope(queue, id, TaskOptions.DEFAULTS);
  }

  /** A first attempt of the task {@code queue} (the name is the queue) with {@code options}. */
  protected final TaskEnvelope envelope(String queue, String id, TaskOptions options) {
    return new TaskEnvelope(
        EnvelopeCodec.VERSION,
        new TaskKey(queue, id),
        queue,
        Marshallers.JSON,
        Marshallers.JSON,
        ("[\"" + id + "\"]").getBytes(UTF_8),
        1,
        options,
        now(),
        null,
        null);
  }

  private void send(TaskEnvelope task) throws InterruptedException {
    join(producer().send(task), awaitBound(), "sending " + task.key());
  }

  private BrokerInspection requireInspection() {
    Optional<BrokerInspection> inspection = inspection();
    assertThat(inspection)
        .as(
            "every broker implements BrokerInspection (DESIGN.md: the SPI is complete from the start)")
        .isPresent();
    return inspection.orElseThrow();
  }

  private Optional<QueueStats> stats(String queue) {
    return inspection()
        .flatMap(i -> i.queues().stream().filter(s -> s.queue().equals(queue)).findFirst());
  }

  /** Where the broker can be inspected: nothing ready, delayed or unacked is left in the queue. */
  private void assertQueueSettled(String queue) {
    stats(queue)
        .ifPresent(
            s ->
                assertThat(List.of(s.ready(), s.delayed(), s.unacked()))
                    .as("ready, delayed and unacked tasks left in %s", queue)
                    .containsOnly(0L));
  }

  private static List<DeadLetter> deadLettersOf(BrokerInspection inspection, String queue) {
    return inspection.deadLetters(10_000).stream().filter(d -> d.queue().equals(queue)).toList();
  }

  private static DeadLetter deadLetterOf(BrokerInspection inspection, TaskKey key) {
    List<DeadLetter> letters =
        inspection.deadLetters(10_000).stream().filter(d -> key.equals(d.key())).toList();
    assertThat(letters).as("dead letters of %s", key).hasSize(1);
    return letters.get(0);
  }
}
