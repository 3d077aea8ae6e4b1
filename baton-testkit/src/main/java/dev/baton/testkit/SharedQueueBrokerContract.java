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
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.TaskConsumer;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
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
 * The contract of a broker in the seed's shared-queue layout: a {@link TaskProducer} and a {@link
 * TaskConsumer} that receives every task, whatever its name, from one queue (the worker routes by
 * name). It re-creates the seed's broker suite where it applies to a plain consumer (B1 basic, B3
 * exactly once, B4 roles refused) and adds send order across names, release with a higher delivery
 * count (which bounds how often a worker gives back a name it does not serve), requeue, lease
 * expiry and dead letters.
 *
 * <h2>How an adapter uses it</h2>
 *
 * <p>Extend it and implement {@link #producer()} and {@link #consumer()} (usually the same object),
 * opening and closing the broker in your own {@code @BeforeEach}/{@code @AfterEach}, as for {@link
 * BrokerContract}. The shared queue is shared by every test: give the broker a queue of its own for
 * the suite. Tasks are named with a fresh prefix per test ({@link #newNamePrefix()}); a task of
 * another prefix found on the queue is acknowledged and ignored. Optional hooks {@link #now()},
 * {@link #advanceTime(Duration)}, {@link #inspection()} and {@link #awaitBound()} work as in {@link
 * BrokerContract}.
 */
public abstract class SharedQueueBrokerContract {

  private String prefix = "";

  /** For subclasses: the adapter's test class. */
  protected SharedQueueBrokerContract() {}

  /** The producer under test. Called from test bodies only, possibly many times. */
  protected abstract TaskProducer producer();

  /**
   * The shared-queue consumer under test, fed by {@link #producer()}; usually the same object.
   * Called from test bodies only, possibly many times.
   */
  protected abstract TaskConsumer consumer();

  /**
   * A fresh task-name prefix for one test; called before each test. By default {@code "ct"}, 8
   * random hex digits and a dot.
   */
  protected String newNamePrefix() {
    return Contracts.uniquePrefix();
  }

  /** How long any single wait of a test may take before the test fails. 10 seconds. */
  protected Duration awaitBound() {
    return Duration.ofSeconds(10);
  }

  /**
   * The broker's current time (envelopes' created-at, etas, leases). The system clock by default.
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
   * The broker's inspection API, if any: by default {@link #consumer()} or {@link #producer()} when
   * either implements {@link BrokerInspection}.
   */
  protected Optional<BrokerInspection> inspection() {
    if (consumer() instanceof BrokerInspection inspection) {
      return Optional.of(inspection);
    }
    if (producer() instanceof BrokerInspection inspection) {
      return Optional.of(inspection);
    }
    return Optional.empty();
  }

  /** The current test's task-name prefix. */
  protected final String namePrefix() {
    return prefix;
  }

  /** {@code name} under the current test's prefix. */
  protected final String taskName(String name) {
    return prefix + name;
  }

  /** Chooses this test's prefix; JUnit runs it before the subclass's own {@code @BeforeEach}. */
  @BeforeEach
  protected final void choosePrefix() {
    prefix = newNamePrefix();
  }

  /** B1: the bytes sent are the bytes received, they decode to the same task, and ack settles. */
  @Test
  public void sentTaskArrivesAsTheSameBytesAndIsSettledByAck() throws Exception {
    TaskEnvelope sent = envelope(taskName("basic"), "1");
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(sent.queue());
      Inbox inbox = new Inbox(false, prefix);
      subscriptions.add(consumer().subscribe(1, inbox));
      send(sent);
      Inbox.Received received = inbox.next(awaitBound(), "the task sent");
      assertThat(received.delivery().body()).isEqualTo(EnvelopeCodec.encode(sent));
      assertThat(received.delivery().deliveryCount()).as("deliveryCount").isEqualTo(1);
      Contracts.assertSameTask(received.task(), sent);
      join(received.delivery().ack(), awaitBound(), "ack");
    }
  }

  /** Tasks of several names all reach the one consumer, in the order they were sent. */
  @Test
  public void tasksOfEveryNameArriveOnTheSharedQueueInSendOrder() throws Exception {
    List<String> sentIds = new ArrayList<>();
    try (Subscriptions subscriptions = new Subscriptions()) {
      Inbox inbox = new Inbox(true, prefix);
      for (int i = 0; i < 3; i++) {
        producer().declare(taskName("name." + i));
      }
      subscriptions.add(consumer().subscribe(8, inbox));
      for (int j = 0; j < 30; j++) {
        String id = BrokerContract.seedId(j);
        send(envelope(taskName("name." + (j % 3)), id));
        sentIds.add(id);
      }
      List<Inbox.Received> received = inbox.take(30, awaitBound(), "the tasks of three names");
      assertThat(received.stream().map(r -> r.task().id()))
          .as("ids in delivery order")
          .containsExactlyElementsOf(sentIds);
      assertThat(received.stream().map(r -> r.task().name()))
          .as("names")
          .allMatch(name -> name.startsWith(taskName("name.")));
      inbox.joinAcks(awaitBound());
      assertThat(inbox.extra()).as("deliveries beyond those sent").isEmpty();
    }
  }

  /** B3: five consumers compete for 256 tasks of five names; each is delivered exactly once. */
  @Test
  public void everyTaskIsDeliveredExactlyOnceAmongCompetingConsumers() throws Exception {
    int tasks = 256;
    try (Subscriptions subscriptions = new Subscriptions()) {
      Inbox inbox = new Inbox(true, prefix);
      producer().declare(taskName("dup.0"));
      for (int i = 0; i < 5; i++) {
        subscriptions.add(consumer().subscribe(8, inbox));
      }
      for (int j = 0; j < tasks; j++) {
        send(envelope(taskName("dup." + (j % 5)), BrokerContract.seedId(j)));
      }
      List<Inbox.Received> received = inbox.take(tasks, awaitBound(), "the tasks");
      inbox.joinAcks(awaitBound());
      Map<TaskKey, Integer> countPerKey = new HashMap<>();
      for (Inbox.Received r : received) {
        countPerKey.merge(r.task().key(), 1, Integer::sum);
      }
      assertThat(countPerKey).as("deliveries per key").hasSize(tasks);
      assertThat(countPerKey.values()).as("deliveries per key").containsOnly(1);
      assertThat(inbox.extra()).as("deliveries beyond the %d sent", tasks).isEmpty();
    }
  }

  /**
   * B4: a remote app refuses to attach the broker as a reporter, a store or a named consumer (or
   * any other role it does not implement); attached without roles it is found to be a producer and
   * a consumer.
   */
  @Test
  public void brokerIsRefusedForRolesItDoesNotImplement() {
    Set<Role> notTheseRoles = EnumSet.of(Role.REPORTER, Role.STORE, Role.NAMED_CONSUMER);
    Object producer = producer();
    Object consumer = consumer();
    Contracts.assertRefusesMissingRoles(producer, notTheseRoles);
    if (!Contracts.sameObject(consumer, producer)) {
      Contracts.assertRefusesMissingRoles(consumer, notTheseRoles);
    }
    try (TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).build()) {
      Set<Role> detected = app.use(producer);
      assertThat(detected).as("roles detected on the producer").contains(Role.PRODUCER);
      if (Contracts.sameObject(consumer, producer)) {
        assertThat(detected).as("roles detected on the broker").contains(Role.CONSUMER);
      }
    }
    if (!Contracts.sameObject(consumer, producer)) {
      try (TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).build()) {
        assertThat(app.use(consumer)).as("roles detected on the consumer").contains(Role.CONSUMER);
      }
    }
  }

  /**
   * A released task comes back, with a higher delivery count each time: how a worker gives back a
   * name it does not serve, a bounded number of times.
   */
  @Test
  public void releasedTaskComesBackWithAHigherDeliveryCount() throws Exception {
    TaskEnvelope sent = envelope(taskName("release"), "1");
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(sent.queue());
      Inbox inbox = new Inbox(false, prefix);
      subscriptions.add(consumer().subscribe(1, inbox));
      send(sent);
      Inbox.Received first = inbox.next(awaitBound(), "the first delivery");
      assertThat(first.delivery().deliveryCount()).isEqualTo(1);
      join(first.delivery().release(), awaitBound(), "release");
      Inbox.Received second = inbox.next(awaitBound(), "the delivery after one release");
      Contracts.assertSameTask(second.task(), sent);
      assertThat(second.delivery().deliveryCount()).isGreaterThan(1);
      join(second.delivery().release(), awaitBound(), "release");
      Inbox.Received third = inbox.next(awaitBound(), "the delivery after two releases");
      assertThat(third.delivery().deliveryCount()).isGreaterThan(second.delivery().deliveryCount());
      join(third.delivery().ack(), awaitBound(), "ack");
    }
  }

  /** Requeue replaces the task with its next attempt; the replaced attempt is gone. */
  @Test
  public void requeueDeliversTheNextAttemptInPlaceOfTheCurrent() throws Exception {
    TaskEnvelope sent = envelope(taskName("requeue"), "1");
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(sent.queue());
      Inbox inbox = new Inbox(false, prefix);
      subscriptions.add(consumer().subscribe(2, inbox));
      send(sent);
      Inbox.Received first = inbox.next(awaitBound(), "the first attempt");
      TaskEnvelope next = first.task().nextAttempt(now());
      join(first.delivery().requeue(next), awaitBound(), "requeue");
      Inbox.Received second = inbox.next(awaitBound(), "the second attempt");
      Contracts.assertSameTask(second.task(), next);
      join(second.delivery().ack(), awaitBound(), "ack");
      assertThat(inbox.extra()).as("deliveries after the second attempt's ack").isEmpty();
    }
  }

  /**
   * An unsettled delivery is delivered again when its lease runs out. Needs {@link #advanceTime}.
   */
  @Test
  public void unsettledTaskIsDeliveredAgainWhenItsLeaseRunsOut() throws Exception {
    TaskEnvelope sent = envelope(taskName("lease"), "1");
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(sent.queue());
      Inbox inbox = new Inbox(false, prefix);
      subscriptions.add(consumer().subscribe(2, inbox));
      send(sent);
      Inbox.Received first = inbox.next(awaitBound(), "the first delivery");
      advanceTime(Duration.between(now(), first.delivery().leaseExpiresAt()).plusSeconds(1));
      Inbox.Received again = inbox.next(awaitBound(), "the delivery after the lease ran out");
      Contracts.assertSameTask(again.task(), sent);
      assertThat(again.delivery().deliveryCount()).isGreaterThan(1);
      join(again.delivery().ack(), awaitBound(), "ack");
    }
  }

  /**
   * A dead-lettered task (say, of a name no worker serves) is listed with its key and error. Needs
   * {@link BrokerInspection}.
   */
  @Test
  public void deadLetteredTaskIsListedWithItsError() throws Exception {
    Optional<BrokerInspection> found = inspection();
    assertThat(found)
        .as(
            "every broker implements BrokerInspection (DESIGN.md: the SPI is complete from the start)")
        .isPresent();
    BrokerInspection inspection = found.orElseThrow();
    TaskEnvelope sent = envelope(taskName("nobody"), "1");
    TaskError error = new TaskError(ErrorCode.UNKNOWN_TASK, "no worker serves " + sent.name());
    try (Subscriptions subscriptions = new Subscriptions()) {
      producer().declare(sent.queue());
      Inbox inbox = new Inbox(false, prefix);
      subscriptions.add(consumer().subscribe(1, inbox));
      send(sent);
      Inbox.Received received = inbox.next(awaitBound(), "the task to dead-letter");
      join(received.delivery().deadLetter(error), awaitBound(), "deadLetter");
      List<DeadLetter> letters =
          inspection.deadLetters(10_000).stream().filter(d -> sent.key().equals(d.key())).toList();
      assertThat(letters).as("dead letters of %s", sent.key()).hasSize(1);
      assertThat(letters.get(0).error()).isEqualTo(error);
      assertThat(inspection.discardDeadLetter(letters.get(0).id())).isTrue();
    }
  }

  private TaskEnvelope envelope(String name, String id) {
    return new TaskEnvelope(
        EnvelopeCodec.VERSION,
        new TaskKey(name, id),
        name,
        Marshallers.JSON,
        Marshallers.JSON,
        ("[\"" + id + "\"]").getBytes(UTF_8),
        1,
        TaskOptions.DEFAULTS,
        now(),
        null,
        null);
  }

  private void send(TaskEnvelope task) throws InterruptedException {
    join(producer().send(task), awaitBound(), "sending " + task.key());
  }
}
