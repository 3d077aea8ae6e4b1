package dev.baton.tasks.memory;

import static dev.baton.tasks.memory.TestTasks.WAIT;
import static dev.baton.tasks.memory.TestTasks.decode;
import static dev.baton.tasks.memory.TestTasks.failsClosed;
import static dev.baton.tasks.memory.TestTasks.id;
import static dev.baton.tasks.memory.TestTasks.succeeds;
import static dev.baton.tasks.memory.TestTasks.task;
import static dev.baton.tasks.memory.TestTasks.withEta;
import static dev.baton.tasks.memory.TestTasks.withPriority;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.memory.TestTasks.Inbox;
import dev.baton.tasks.memory.TestTasks.RecordingContext;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.WorkerHeartbeat;
import dev.baton.time.ManualTimeSource;
import dev.baton.time.SystemTimeSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemoryBrokerTest {
  private static final Duration LEASE = Duration.ofSeconds(10);
  private static final Duration LIVENESS = Duration.ofSeconds(30);

  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryBroker broker = new InMemoryBroker(time, LEASE, LIVENESS);
  private final RecordingContext context = new RecordingContext(time);

  InMemoryBrokerTest() {
    broker.attach(context);
  }

  @AfterEach
  void close() {
    broker.close();
  }

  private void idle() throws InterruptedException {
    assertThat(broker.awaitIdle(WAIT)).as("dispatcher idle within %s", WAIT).isTrue();
  }

  private QueueStats stats(String queue) {
    return broker.queues().stream()
        .filter(stats -> stats.queue().equals(queue))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> ids(List<Delivery> deliveries) {
    return deliveries.stream().map(TestTasks::id).toList();
  }

  // --- ordering ---------------------------------------------------------------------------------

  @Test
  void eachQueue_deliversInFifoOrder_andOnlyItsOwnTasks() throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      succeeds(broker.send(task("a", "a" + i)));
      succeeds(broker.send(task("b", "b" + i)));
    }
    Inbox a = new Inbox();
    Inbox b = new Inbox();
    broker.subscribe("a", 1_000, a);
    broker.subscribe("b", 1_000, b);
    idle();

    assertThat(ids(a.drain())).containsExactlyElementsOf(sequence("a", 100));
    assertThat(ids(b.drain())).containsExactlyElementsOf(sequence("b", 100));
  }

  @Test
  void higherPriorities_goFirst_fifoWithinAPriority() throws InterruptedException {
    int[] priorities = {0, 5, 9, 5, 0, 9, 3};
    for (int i = 0; i < priorities.length; i++) {
      succeeds(broker.send(withPriority("q", "t" + i + "p" + priorities[i], priorities[i])));
    }
    Inbox inbox = new Inbox();
    broker.subscribe("q", 100, inbox);
    idle();

    assertThat(ids(inbox.drain()))
        .containsExactly("t2p9", "t5p9", "t1p5", "t3p5", "t6p3", "t0p0", "t4p0");
  }

  @Test
  void tasksRoutedToAQueue_goThere_whateverTheirName() throws InterruptedException {
    TaskEnvelope routed =
        task("billing.charge", "1", TaskOptions.builder().queue("slow").build(), Instant.EPOCH);
    succeeds(broker.send(routed));
    Inbox byName = new Inbox();
    Inbox slow = new Inbox();
    broker.subscribe("billing.charge", 10, byName);
    broker.subscribe("slow", 10, slow);
    idle();

    assertThat(byName.drain()).isEmpty();
    Delivery delivery = slow.next();
    assertThat(delivery.queue()).isEqualTo("slow");
    assertThat(decode(delivery).key()).isEqualTo(new TaskKey("billing.charge", "1"));
  }

  // --- sharing ----------------------------------------------------------------------------------

  @Test
  void everyTask_reachesExactlyOneOfFiveSubscribers() throws Exception {
    int tasks = 256;
    int subscribers = 5;
    Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    int[] perSubscriber = new int[subscribers];
    CountDownLatch all = new CountDownLatch(tasks);
    for (int s = 0; s < subscribers; s++) {
      int index = s;
      broker.subscribe(
          "shared",
          4,
          delivery -> {
            deliveries.computeIfAbsent(id(delivery), k -> new AtomicInteger()).incrementAndGet();
            perSubscriber[index]++; // the dispatcher thread only
            succeeds(delivery.ack());
            all.countDown();
          });
    }
    ExecutorService producers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        int producer = p;
        sent.add(
            producers.submit(
                () -> {
                  for (int i = 0; i < tasks / 4; i++) {
                    succeeds(broker.send(task("shared", producer + "-" + i)));
                  }
                }));
      }
      for (Future<?> future : sent) {
        future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      producers.shutdownNow();
    }

    assertThat(all.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    idle();
    assertThat(deliveries).hasSize(tasks);
    assertThat(deliveries.values()).allSatisfy(count -> assertThat(count).hasValue(1));
    assertThat(IntStream.of(perSubscriber).sum()).isEqualTo(tasks);
    assertThat(IntStream.of(perSubscriber).min().orElseThrow()).isPositive();
    assertThat(stats("shared")).isEqualTo(new QueueStats("shared", 0, 0, 0, 0));
  }

  @Test
  void aSubscription_holdsAtMostPrefetchUnsettled() throws InterruptedException {
    for (int i = 0; i < 10; i++) {
      succeeds(broker.send(task("q", "t" + i)));
    }
    Inbox inbox = new Inbox();
    broker.subscribe("q", 3, inbox);
    idle();

    List<Delivery> first = inbox.drain();
    assertThat(ids(first)).containsExactly("t0", "t1", "t2");
    assertThat(stats("q")).isEqualTo(new QueueStats("q", 7, 0, 3, 0));

    succeeds(first.get(1).ack());
    idle();
    assertThat(ids(inbox.drain())).containsExactly("t3");
    assertThat(stats("q")).isEqualTo(new QueueStats("q", 6, 0, 3, 0));
  }

  @Test
  void cancellingASubscription_givesBackWhatItBufferedButDidNotHandOut() throws Exception {
    for (int i = 0; i < 5; i++) {
      succeeds(broker.send(task("q", "t" + i)));
    }
    CompletableFuture<Subscription> self = new CompletableFuture<>();
    List<Delivery> handedOut = new ArrayList<>();
    Subscription subscription =
        broker.subscribe(
            "q",
            5,
            delivery -> {
              handedOut.add(delivery);
              // Cancel on the first delivery: the other four of the batch were leased to this
              // subscription but not handed out.
              self.join().cancel();
            });
    self.complete(subscription);
    idle();

    assertThat(ids(handedOut)).containsExactly("t0");
    assertThat(stats("q")).isEqualTo(new QueueStats("q", 4, 0, 1, 0));

    Inbox next = new Inbox();
    broker.subscribe("q", 10, next);
    idle();
    List<Delivery> rest = next.drain();
    assertThat(ids(rest)).containsExactly("t1", "t2", "t3", "t4");
    assertThat(rest).allSatisfy(delivery -> assertThat(delivery.deliveryCount()).isEqualTo(1));

    succeeds(handedOut.get(0).ack()); // the handed-out one is still settled normally
    assertThat(stats("q").unacked()).isEqualTo(4);
    subscription.cancel(); // idempotent
  }

  @Test
  void aCancelledSubscription_receivesNothingMore() throws InterruptedException {
    Inbox inbox = new Inbox();
    Subscription subscription = broker.subscribe("q", 10, inbox);
    subscription.cancel();
    succeeds(broker.send(task("q", "1")));
    idle();

    assertThat(inbox.drain()).isEmpty();
    assertThat(stats("q").ready()).isEqualTo(1);
  }

  // --- delays -----------------------------------------------------------------------------------

  @Test
  void aDelayedTask_isDeliveredOnlyOnceTimePassesItsEta() throws InterruptedException {
    Inbox inbox = new Inbox();
    broker.subscribe("q", 10, inbox);
    succeeds(broker.send(withEta("q", "later", time.now().plusSeconds(60))));
    succeeds(broker.send(withEta("q", "past", time.now().minusSeconds(1))));
    idle();

    List<Delivery> now = inbox.drain();
    assertThat(ids(now)).containsExactly("past");
    assertThat(stats("q")).isEqualTo(new QueueStats("q", 0, 1, 1, 0));
    succeeds(now.get(0).ack());

    time.advance(Duration.ofSeconds(59));
    idle();
    assertThat(inbox.drain()).isEmpty();

    time.advance(Duration.ofSeconds(1));
    assertThat(id(inbox.next())).isEqualTo("later");
    assertThat(stats("q")).isEqualTo(new QueueStats("q", 0, 0, 1, 0));
  }

  // --- leases -----------------------------------------------------------------------------------

  @Test
  void anUnsettledDelivery_comesBackWhenItsLeaseRunsOut() throws InterruptedException {
    succeeds(broker.send(task("q", "1")));
    Inbox inbox = new Inbox();
    broker.subscribe("q", 1, inbox);
    Delivery first = inbox.next();
    assertThat(first.deliveryCount()).isEqualTo(1);
    assertThat(first.leaseExpiresAt()).isEqualTo(time.now().plus(LEASE));

    time.advance(LEASE.minusNanos(1));
    idle();
    assertThat(inbox.drain()).isEmpty();

    time.advance(Duration.ofNanos(1));
    Delivery second = inbox.next();
    assertThat(id(second)).isEqualTo("1");
    assertThat(second.deliveryCount()).isEqualTo(2);
    assertThat(context.events)
        .anySatisfy(
            event -> {
              assertThat(event.level()).isEqualTo(EventLevel.WARNING);
              assertThat(event.code()).isEqualTo(EventCode.TASK_DELIVERY_FAILURE);
              assertThat(event.key()).isEqualTo(new TaskKey("q", "1"));
              assertThat(event.message()).contains("lease");
            });

    // The first holder's late ack is ignored; the redelivery is the one that counts.
    succeeds(first.ack());
    assertThat(broker.ignoredSettlements()).isEqualTo(1);
    assertThat(stats("q").unacked()).isEqualTo(1);
    succeeds(second.ack());
    assertThat(stats("q")).isEqualTo(new QueueStats("q", 0, 0, 0, 0));
  }

  @Test
  void renewingALease_keepsTheDelivery() throws InterruptedException {
    succeeds(broker.send(task("q", "1")));
    Inbox inbox = new Inbox();
    broker.subscribe("q", 1, inbox);
    Delivery delivery = inbox.next();

    time.advance(Duration.ofSeconds(8));
    succeeds(delivery.renewLease(Duration.ofSeconds(10)));
    assertThat(delivery.leaseExpiresAt()).isEqualTo(time.now().plusSeconds(10));
    time.advance(Duration.ofSeconds(9));
    idle();
    assertThat(inbox.drain()).isEmpty();

    time.advance(Duration.ofSeconds(1));
    assertThat(inbox.next().deliveryCount()).isEqualTo(2);
    assertThatThrownBy(() -> delivery.renewLease(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- settlement -------------------------------------------------------------------------------

  @Test
  void release_putsTheTaskBackAtTheHeadOfItsQueue() throws InterruptedException {
    succeeds(broker.send(task("q", "1")));
    succeeds(broker.send(task("q", "2")));
    Inbox inbox = new Inbox();
    broker.subscribe("q", 1, inbox);
    Delivery first = inbox.next();
    assertThat(id(first)).isEqualTo("1");

    succeeds(first.release());
    Delivery again = inbox.next();
    assertThat(id(again)).isEqualTo("1");
    assertThat(again.deliveryCount()).isEqualTo(2);
    assertThat(again.body()).isEqualTo(first.body());
  }

  @Test
  void requeue_storesTheNextAttempt_delayedUntilItsEta() throws InterruptedException {
    succeeds(broker.send(task("q", "1")));
    Inbox inbox = new Inbox();
    broker.subscribe("q", 1, inbox);
    Delivery first = inbox.next();

    TaskEnvelope next = decode(first).nextAttempt(time.now().plusSeconds(5));
    succeeds(first.requeue(next));
    idle();
    assertThat(inbox.drain()).isEmpty();
    assertThat(stats("q")).isEqualTo(new QueueStats("q", 0, 1, 0, 0));

    time.advance(Duration.ofSeconds(5));
    Delivery second = inbox.next();
    assertThat(decode(second).attempt()).isEqualTo(2);
    assertThat(second.deliveryCount()).isEqualTo(1);
  }

  @Test
  void deadLetter_keepsTheBodyAndError_forRetryOrDiscard() throws InterruptedException {
    succeeds(broker.send(task("q", "1")));
    succeeds(broker.send(task("q", "2")));
    Inbox inbox = new Inbox();
    broker.subscribe("q", 1, inbox);
    Delivery one = inbox.next();
    byte[] body = one.body();
    time.advance(Duration.ofSeconds(3));
    TaskError error = new TaskError(ErrorCode.TASK_FAILED, "q#1 failed: boom");
    succeeds(one.deadLetter(error));
    Delivery two = inbox.next();
    succeeds(two.deadLetter(new TaskError(ErrorCode.DECODE, "bad")));
    idle();

    assertThat(stats("q")).isEqualTo(new QueueStats("q", 0, 0, 0, 2));
    List<DeadLetter> letters = broker.deadLetters(10);
    assertThat(letters).hasSize(2);
    DeadLetter oldest = letters.get(0);
    assertThat(oldest.queue()).isEqualTo("q");
    assertThat(oldest.key()).isEqualTo(new TaskKey("q", "1"));
    assertThat(oldest.error()).isEqualTo(error);
    assertThat(oldest.at()).isEqualTo(time.now());
    assertThat(oldest.body()).isEqualTo(body);
    assertThat(broker.deadLetters(1)).extracting(DeadLetter::id).containsExactly(oldest.id());
    assertThat(broker.deadLetters(0)).isEmpty();

    assertThat(broker.retryDeadLetter(oldest.id())).isTrue();
    Delivery retried = inbox.next();
    assertThat(id(retried)).isEqualTo("1");
    assertThat(retried.deliveryCount()).isEqualTo(1);
    assertThat(broker.retryDeadLetter(oldest.id())).isFalse();

    String other = letters.get(1).id();
    assertThat(broker.discardDeadLetter(other)).isTrue();
    assertThat(broker.discardDeadLetter(other)).isFalse();
    assertThat(broker.deadLetters(10)).isEmpty();
    assertThat(stats("q")).isEqualTo(new QueueStats("q", 0, 0, 1, 0));
  }

  @Test
  void aSecondSettlement_isIgnored_countedAndReported() throws InterruptedException {
    succeeds(broker.send(task("q", "1")));
    Inbox inbox = new Inbox();
    broker.subscribe("q", 1, inbox);
    Delivery delivery = inbox.next();

    succeeds(delivery.ack());
    succeeds(delivery.ack());
    succeeds(delivery.release());
    succeeds(delivery.deadLetter(new TaskError(ErrorCode.GENERIC, "late")));
    succeeds(delivery.requeue(decode(delivery).nextAttempt(time.now())));
    succeeds(delivery.renewLease(Duration.ofSeconds(1))); // ignored too, but not a settlement
    idle();

    assertThat(broker.ignoredSettlements()).isEqualTo(4);
    assertThat(inbox.drain()).isEmpty();
    assertThat(broker.deadLetters(10)).isEmpty();
    assertThat(stats("q")).isEqualTo(new QueueStats("q", 0, 0, 0, 0));
    assertThat(context.events)
        .filteredOn(event -> event.level() == EventLevel.WARNING)
        .hasSize(4)
        .allSatisfy(event -> assertThat(event.message()).contains("already settled"));
  }

  @Test
  void rawBytes_areDeliveredAsTheyWere_forTheDecodeFailurePath() throws InterruptedException {
    byte[] garbage = "not an envelope".getBytes(StandardCharsets.UTF_8);
    broker.injectRaw("q", garbage);
    garbage[0] = 'X'; // the broker copied it
    Inbox inbox = new Inbox();
    broker.subscribe("q", 1, inbox);
    Delivery delivery = inbox.next();

    assertThat(delivery.body()).isEqualTo("not an envelope".getBytes(StandardCharsets.UTF_8));
    succeeds(delivery.deadLetter(new TaskError(ErrorCode.DECODE, "bad magic")));
    assertThat(broker.deadLetters(1).get(0).key()).isNull();
  }

  // --- revocation, heartbeats, inspection -------------------------------------------------------

  @Test
  void aRevocation_holdsUntilItsTime_thenIsForgotten() {
    TaskKey key = new TaskKey("q", "1");
    succeeds(broker.revoke(key, time.now().plusSeconds(10)));

    assertThat(broker.isRevoked(key)).isTrue();
    assertThat(broker.isRevoked(new TaskKey("other", "1"))).isFalse();
    assertThat(broker.isRevoked(new TaskKey("q", "2"))).isFalse();

    time.advance(Duration.ofSeconds(9));
    assertThat(broker.isRevoked(key)).isTrue();
    // A shorter revocation does not cut a longer one short.
    succeeds(broker.revoke(key, time.now().plusSeconds(0)));
    time.advance(Duration.ofSeconds(1));
    assertThat(broker.isRevoked(key)).isFalse();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void workers_showHeartbeatsWithinTheLivenessWindow() {
    broker.heartbeat(new WorkerHeartbeat("w1", Set.of("a"), 0, 4, time.now()));
    time.advance(Duration.ofSeconds(20));
    broker.heartbeat(new WorkerHeartbeat("w2", Set.of("a", "b"), 2, 8, time.now()));
    assertThat(broker.workers()).extracting(WorkerHeartbeat::workerId).containsExactly("w1", "w2");

    time.advance(Duration.ofSeconds(11));
    assertThat(broker.workers()).extracting(WorkerHeartbeat::workerId).containsExactly("w2");

    broker.heartbeat(new WorkerHeartbeat("w1", Set.of("a"), 3, 4, time.now()));
    List<WorkerHeartbeat> workers = broker.workers();
    assertThat(workers).extracting(WorkerHeartbeat::workerId).containsExactly("w1", "w2");
    assertThat(workers.get(0).busy()).isEqualTo(3);

    time.advance(LIVENESS.plusSeconds(1));
    assertThat(broker.workers()).isEmpty();
  }

  @Test
  void queues_countReadyDelayedUnackedAndDeadLetters() throws InterruptedException {
    broker.declare("empty");
    broker.declare("empty"); // idempotent
    for (int i = 0; i < 4; i++) {
      succeeds(broker.send(task("q", "r" + i)));
    }
    succeeds(broker.send(withEta("q", "d", time.now().plusSeconds(1))));
    Inbox inbox = new Inbox();
    broker.subscribe("q", 2, inbox);
    Delivery first = inbox.next();
    inbox.next();
    succeeds(first.deadLetter(new TaskError(ErrorCode.GENERIC, "x")));
    idle();

    assertThat(broker.queues())
        .containsExactly(new QueueStats("empty", 0, 0, 0, 0), new QueueStats("q", 1, 1, 2, 1));
    assertThatThrownBy(() -> broker.deadLetters(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> broker.declare(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> broker.subscribe("q", 0, new Inbox()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- events and lifecycle ---------------------------------------------------------------------

  @Test
  void aDetachedContext_receivesNoMoreEvents() throws InterruptedException {
    broker.detach(context);
    succeeds(broker.send(task("q", "1")));
    Inbox inbox = new Inbox();
    broker.subscribe("q", 1, inbox);
    inbox.next();
    time.advance(LEASE);
    inbox.next();

    assertThat(context.events).isEmpty();
  }

  @Test
  void close_isIdempotent_stopsTimers_andFailsLaterCalls() throws InterruptedException {
    succeeds(broker.send(withEta("q", "delayed", time.now().plusSeconds(60))));
    succeeds(broker.send(task("q", "now")));
    succeeds(broker.revoke(new TaskKey("q", "x"), time.now().plusSeconds(60)));
    Inbox inbox = new Inbox();
    broker.subscribe("q", 1, inbox);
    Delivery delivery = inbox.next();
    assertThat(time.pendingTasks()).isEqualTo(3); // eta, lease, revocation

    broker.close();
    broker.close();

    assertThat(time.pendingTasks()).isZero();
    assertThat(broker.awaitIdle(WAIT)).isTrue();
    failsClosed(broker.send(task("q", "late")), "broker is closed");
    failsClosed(broker.revoke(new TaskKey("q", "y"), time.now()), "broker is closed");
    failsClosed(delivery.ack(), "broker is closed");
    assertThatThrownBy(() -> broker.declare("q"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("broker is closed");
    assertThatThrownBy(() -> broker.subscribe("q", 1, new Inbox()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> broker.injectRaw("q", new byte[1]))
        .isInstanceOf(IllegalStateException.class);
    assertThat(stats("q")).isEqualTo(new QueueStats("q", 0, 1, 1, 0)); // inspection still reads
    time.advance(Duration.ofMinutes(5));
    assertThat(inbox.drain()).isEmpty();
  }

  @Test
  void sendFails_forAnEnvelopeOfAnotherVersion() {
    TaskEnvelope valid = task("q", "1");
    TaskEnvelope version2 =
        new TaskEnvelope(
            2,
            valid.key(),
            valid.queue(),
            0,
            0,
            valid.arguments(),
            1,
            valid.options(),
            valid.createdAt(),
            null,
            null);

    assertThat(broker.send(version2).toCompletableFuture())
        .failsWithin(WAIT)
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onTheSystemTimeSource_delaysAndLeasesRunOnItsTimer() throws InterruptedException {
    try (SystemTimeSource system = new SystemTimeSource("broker-test-timer");
        InMemoryBroker real =
            new InMemoryBroker(system, Duration.ofMillis(200), Duration.ofSeconds(1))) {
      Inbox inbox = new Inbox();
      real.subscribe("q", 1, inbox);
      succeeds(real.send(withEta("q", "soon", system.now().plusMillis(50))));

      Delivery first = inbox.next();
      assertThat(id(first)).isEqualTo("soon");
      Delivery again = inbox.next(); // not settled: its 200 ms lease runs out
      assertThat(again.deliveryCount()).isEqualTo(2);
      succeeds(again.ack());
    }
  }

  // --- throughput -------------------------------------------------------------------------------

  @Test
  void tensOfThousandsOfTasks_flowThrough() throws Exception {
    int tasks = 50_000;
    CountDownLatch all = new CountDownLatch(tasks);
    for (int s = 0; s < 4; s++) {
      broker.subscribe(
          "bulk",
          64,
          delivery -> {
            succeeds(delivery.ack());
            all.countDown();
          });
    }
    long start = System.nanoTime();
    for (int i = 0; i < tasks; i++) {
      succeeds(broker.send(task("bulk", Integer.toString(i))));
    }
    assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
    long nanos = System.nanoTime() - start;
    System.out.printf(
        "in-memory broker: %d tasks sent, delivered and acked in %d ms (%.0f/s)%n",
        tasks, nanos / 1_000_000, tasks * 1e9 / nanos);
    idle();
    assertThat(stats("bulk")).isEqualTo(new QueueStats("bulk", 0, 0, 0, 0));
  }

  private static List<String> sequence(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
  }
}
