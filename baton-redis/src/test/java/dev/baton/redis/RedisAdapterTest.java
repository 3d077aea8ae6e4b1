package dev.baton.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.time.ManualTimeSource;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the contract suites cannot see: a dead consumer's task claimed by another broker, a delayed
 * task moved by a broker other than its sender, 10,000 polls on one pub/sub connection, and a lost
 * connection reported and recovered from. Every wait is bounded.
 */
class RedisAdapterTest {

  private static final Duration BOUND = Duration.ofSeconds(30);
  private final String prefix =
      "ct" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ".";
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    try {
      for (AutoCloseable c : closeables.reversed()) {
        c.close();
      }
    } finally {
      RedisTests.deleteKeys(prefix);
    }
  }

  private RedisBroker broker(TimeSource time, URI uri) {
    RedisBroker broker =
        RedisBroker.connect(uri, time, RedisBrokerContractTest.LEASE, Duration.ofSeconds(30));
    closeables.add(broker);
    return broker;
  }

  private TaskEnvelope task(String queue, String id, TaskOptions options, Instant now) {
    return new TaskEnvelope(
        EnvelopeCodec.VERSION,
        new TaskKey(queue, id),
        queue,
        Marshallers.JSON,
        Marshallers.JSON,
        "[1]".getBytes(UTF_8),
        1,
        options,
        now,
        null,
        null);
  }

  private static Delivery next(LinkedBlockingQueue<Delivery> inbox, String what)
      throws InterruptedException {
    Delivery d = inbox.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(d).as(what + " within " + BOUND).isNotNull();
    return d;
  }

  @Test
  void taskOfABrokerThatDiedIsClaimedByAnotherAfterTheLease() throws Exception {
    String queue = prefix + "dead-worker";
    ManualTimeSource timeA = new ManualTimeSource(Instant.now());
    ManualTimeSource timeB = new ManualTimeSource(Instant.now());
    RedisBroker a = broker(timeA, RedisTests.uri());
    RedisBroker b = broker(timeB, RedisTests.uri());
    LinkedBlockingQueue<Delivery> inboxA = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Delivery> inboxB = new LinkedBlockingQueue<>();
    a.declare(queue);
    Subscription subA = a.subscribe(queue, 1, inboxA::add);
    a.send(task(queue, "1", TaskOptions.DEFAULTS, timeA.now()))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    Delivery first = next(inboxA, "the first delivery");
    assertThat(first.deliveryCount()).isEqualTo(1);
    subA.cancel();
    a.close(); // dies holding the task, unacknowledged

    Subscription subB = b.subscribe(queue, 1, inboxB::add);
    try {
      assertThat(inboxB.poll(200, TimeUnit.MILLISECONDS))
          .as("delivery before the lease ran out")
          .isNull();
      RedisTests.awaitServerClock(RedisBrokerContractTest.LEASE.plusMillis(50), BOUND);
      timeB.advance(Duration.ofSeconds(1));
      Delivery again = next(inboxB, "the task claimed from the dead broker");
      assertThat(again.deliveryCount()).as("deliveryCount after the claim").isEqualTo(2);
      assertThat(EnvelopeCodec.decodeTask(again.body()).id()).isEqualTo("1");
      again.ack().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(b.queues())
          .filteredOn(s -> s.queue().equals(queue))
          .singleElement()
          .satisfies(s -> assertThat(s.unacked() + s.ready() + s.delayed()).isZero());
    } finally {
      subB.cancel();
    }
  }

  @Test
  void delayedTaskIsMovedByABrokerOtherThanItsSender() throws Exception {
    String queue = prefix + "delayed";
    ManualTimeSource timeA = new ManualTimeSource(Instant.now());
    ManualTimeSource timeB = new ManualTimeSource(timeA.now());
    RedisBroker a = broker(timeA, RedisTests.uri());
    RedisBroker b = broker(timeB, RedisTests.uri());
    a.send(
            task(
                queue,
                "1",
                TaskOptions.builder().eta(timeA.now().plusSeconds(30)).build(),
                timeA.now()))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    a.close(); // the sender is gone; the task waits in Redis, not in its memory
    LinkedBlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    Subscription sub = b.subscribe(queue, 1, inbox::add);
    try {
      timeB.advance(Duration.ofSeconds(29));
      assertThat(inbox.poll(200, TimeUnit.MILLISECONDS)).as("delivery before the eta").isNull();
      timeB.advance(Duration.ofSeconds(2));
      Delivery d = next(inbox, "the delayed task");
      assertThat(d.deliveryCount()).isEqualTo(1);
      d.ack().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      sub.cancel();
    }
  }

  /**
   * isRevoked of a fetched task answers from the fetch and the revocation channel: a revocation
   * stored before the fetch, or made by another broker after it, is seen.
   */
  @Test
  void revocationsBeforeAndAfterTheFetchAreSeenByTheConsumer() throws Exception {
    String queue = prefix + "revoked";
    SystemTimeSource time = new SystemTimeSource();
    closeables.add(time);
    RedisBroker producer = broker(time, RedisTests.uri());
    RedisBroker consumer = broker(time, RedisTests.uri());
    TaskKey before = new TaskKey(queue, "before");
    TaskKey after = new TaskKey(queue, "after");
    producer
        .revoke(before, time.now().plus(Duration.ofMinutes(1)))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    for (TaskKey key : List.of(before, after)) {
      producer
          .send(task(queue, key.id(), TaskOptions.builder().build(), time.now()))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    }
    LinkedBlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    Subscription sub = consumer.subscribe(queue, 2, inbox::add);
    try {
      Delivery first = next(inbox, "the first task");
      Delivery second = next(inbox, "the second task");
      assertThat(consumer.isRevoked(before)).as("revoked before the fetch").isTrue();
      assertThat(consumer.isRevoked(after)).as("not yet revoked").isFalse();
      producer
          .revoke(after, time.now().plus(Duration.ofMinutes(1)))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (!consumer.isRevoked(after) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(consumer.isRevoked(after)).as("revoked after the fetch").isTrue();
      first.ack().toCompletableFuture().get(10, TimeUnit.SECONDS);
      second.ack().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      sub.cancel();
    }
  }

  @Test
  void tenThousandPollsShareTheBackendsTwoConnections() throws Exception {
    String clientName = prefix.replace('.', '-') + "backend";
    URI uri = URI.create(RedisTests.uri() + "?clientName=" + clientName);
    SystemTimeSource time = new SystemTimeSource();
    closeables.add(time);
    RedisBackend backend = RedisBackend.connect(uri, time);
    closeables.add(backend);
    int calls = 10_000;
    CountDownLatch received = new CountDownLatch(calls);
    List<Subscription> polls = new ArrayList<>();
    List<TaskKey> keys = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      TaskKey key = new TaskKey(prefix + "many", Integer.toString(i));
      keys.add(key);
      polls.add(backend.poll(key, bytes -> received.countDown()));
    }
    try {
      assertThat(connectionsNamed(clientName))
          .as("connections of the backend")
          .isLessThanOrEqualTo(2);
      List<CompletableFuture<Void>> publishes = new ArrayList<>();
      for (TaskKey key : keys) {
        Instant now = time.now();
        publishes.add(
            backend
                .publish(
                    new ReportEnvelope(
                        EnvelopeCodec.VERSION,
                        key,
                        ReportStatus.SENT,
                        1,
                        Marshallers.JSON,
                        null,
                        null,
                        null,
                        now,
                        now.plus(Duration.ofMinutes(5))),
                    backend.replyAddress())
                .toCompletableFuture());
      }
      CompletableFuture.allOf(publishes.toArray(new CompletableFuture<?>[0]))
          .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(received.await(BOUND.toMillis(), TimeUnit.MILLISECONDS))
          .as("every poll received its report (%d missing)", received.getCount())
          .isTrue();
      assertThat(connectionsNamed(clientName))
          .as("connections of the backend")
          .isLessThanOrEqualTo(2);
    } finally {
      for (Subscription poll : polls) {
        poll.cancel();
      }
    }
  }

  private static ReportEnvelope report(TaskKey key, ReportStatus status, Instant now) {
    return new ReportEnvelope(
        EnvelopeCodec.VERSION,
        key,
        status,
        1,
        Marshallers.JSON,
        null,
        null,
        null,
        now,
        now.plus(Duration.ofMinutes(5)));
  }

  /**
   * A caller that finds an idempotency key held by another caller's call polls that call, whose
   * reports are pushed to the other caller's reply channel (or to none): it still receives each.
   */
  @Test
  void callHeldByAnotherCallerStreamsItsReportsToBothCallers() throws Exception {
    SystemTimeSource time = new SystemTimeSource();
    closeables.add(time);
    RedisBackend first = RedisBackend.connect(RedisTests.uri(), time);
    closeables.add(first);
    RedisBackend second = RedisBackend.connect(RedisTests.uri(), time);
    closeables.add(second);
    String name = prefix + "shared";
    Duration ttl = Duration.ofMinutes(1);
    assertThat(first.claimIdempotencyKey(name, "k", "1", ttl)).isEqualTo("1");
    assertThat(second.claimIdempotencyKey(name, "k", "2", ttl)).isEqualTo("1");
    TaskKey key = new TaskKey(name, "1");
    LinkedBlockingQueue<ReportStatus> atFirst = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<ReportStatus> atSecond = new LinkedBlockingQueue<>();
    Subscription firstPoll =
        first.poll(key, bytes -> atFirst.add(EnvelopeCodec.decodeReport(bytes).status()));
    Subscription secondPoll =
        second.poll(key, bytes -> atSecond.add(EnvelopeCodec.decodeReport(bytes).status()));
    try {
      first
          .publish(report(key, ReportStatus.SENT, time.now()), first.replyAddress())
          .toCompletableFuture()
          .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(atFirst.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo(ReportStatus.SENT);
      assertThat(atSecond.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo(ReportStatus.SENT);
      first
          .publish(report(key, ReportStatus.SUCCESS, time.now()), null)
          .toCompletableFuture()
          .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(atSecond.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo(ReportStatus.SUCCESS);
    } finally {
      firstPoll.cancel();
      secondPoll.cancel();
    }
  }

  @Test
  void lostConnectionIsReportedAndConsumingResumes() throws Exception {
    String queue = prefix + "reconnect";
    String clientName = prefix.replace('.', '-') + "broker";
    SystemTimeSource time = new SystemTimeSource();
    closeables.add(time);
    RedisBroker broker = broker(time, URI.create(RedisTests.uri() + "?clientName=" + clientName));
    RedisBroker sender = broker(time, RedisTests.uri());
    Recorder events = new Recorder(time);
    broker.attach(events);
    LinkedBlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    Subscription sub = broker.subscribe(queue, 4, inbox::add);
    try {
      sender
          .send(task(queue, "1", TaskOptions.DEFAULTS, time.now()))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      next(inbox, "the task before the connection is killed")
          .ack()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);

      assertThat(killConnectionsNamed(clientName))
          .as("connections killed")
          .isGreaterThanOrEqualTo(2);
      events.await(EventLevel.WARNING, "the connection loss");
      events.await(EventLevel.INFO, "the reconnection");

      sender
          .send(task(queue, "2", TaskOptions.DEFAULTS, time.now()))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      Delivery after = next(inbox, "the task sent after the reconnection");
      assertThat(EnvelopeCodec.decodeTask(after.body()).id()).isEqualTo("2");
      after.ack().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      sub.cancel();
      broker.detach(events);
    }
  }

  private static long connectionsNamed(String name) {
    return withRedis(
        redis -> redis.clientList().lines().filter(l -> l.contains(" name=" + name + " ")).count());
  }

  private static long killConnectionsNamed(String name) {
    return withRedis(
        redis -> {
          long killed = 0;
          for (String line : redis.clientList().lines().toList()) {
            if (line.contains(" name=" + name + " ")) {
              String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' '));
              killed += redis.clientKill(KillArgs.Builder.id(Long.parseLong(id)));
            }
          }
          return killed;
        });
  }

  private static <T> T withRedis(java.util.function.Function<RedisCommands<String, String>, T> f) {
    RedisClient client = RedisClient.create(RedisURI.create(RedisTests.uri()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return f.apply(connection.sync());
    } finally {
      client.shutdown();
    }
  }

  /** Records CONNECTION events. */
  private static final class Recorder implements AdapterContext {
    private final TimeSource time;
    private final List<EventLevel> connectionEvents = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<EventLevel> arrivals = new LinkedBlockingQueue<>();

    Recorder(TimeSource time) {
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
      if (code == EventCode.CONNECTION) {
        connectionEvents.add(level);
        arrivals.add(level);
      }
    }

    void await(EventLevel level, String what) throws InterruptedException {
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (!connectionEvents.contains(level)) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || arrivals.poll(left, TimeUnit.NANOSECONDS) == null) {
          throw new AssertionError(
              "no " + level + " CONNECTION event for " + what + " within " + BOUND);
        }
      }
    }
  }
}
