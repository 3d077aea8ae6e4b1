package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.Progress;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.Subscription;
import dev.baton.time.SystemTimeSource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the backend contract cannot see: a task without a reply address or with one that is not a
 * reply queue, a caller that is gone, a message on the reply queue that is not a report, a report
 * past the default payload limit or of a newer format, an idempotency key held by another caller,
 * claimants racing in one backend, the cap on retained calls, claims that expire or outlive their
 * deadline or the backend, claim queue names, a reply queue deleted or expired during an outage, a
 * reply channel the broker closes, a sink that throws an Error, and consuming that resumes after
 * the server closes the connection. Every wait is bounded.
 */
class AmqpBackendTest {

  private static final Duration BOUND = Duration.ofSeconds(20);
  private static final String PREFIX = AmqpBackendTestQueues.uniquePrefix();

  private final SystemTimeSource time = new SystemTimeSource();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
    time.close();
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    AmqpBackendTestQueues.deleteAll(PREFIX);
  }

  private AmqpBackend backend(AmqpBackend.Options options) {
    AmqpBackend backend = AmqpBackend.connect(AmqpTests.uri(), time, options);
    closeables.add(backend);
    return backend;
  }

  private AmqpBackend backend() {
    return backend(options());
  }

  private static AmqpBackend.Options options() {
    return AmqpBackend.Options.DEFAULTS
        .withPrefix(PREFIX)
        .withReplyQueueExpiry(Duration.ofMinutes(5))
        .withClaimQueueExpiry(Duration.ofMinutes(5));
  }

  @Test
  void publishWithoutReplyAddressFailsSayingToPairBackendsOfOneKind() {
    AmqpBackend backend = backend();
    TaskKey key = new TaskKey(PREFIX + ".no-reply", "1");

    Throwable failure = failureOf(backend.publish(report(key, ReportStatus.SUCCESS), null));

    assertThat(failure)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("carries no reply address")
        .hasMessageContaining("the same kind of backend");
  }

  @Test
  void reportForACallerThatIsGoneCompletesAndWarnsThatNobodyWaits() throws Exception {
    AmqpBackend worker = backend();
    AmqpBackendEventRecorder events = new AmqpBackendEventRecorder(time, BOUND);
    worker.attach(events);
    AmqpBackend caller = backend();
    String gone = caller.replyAddress();
    caller.close(); // deletes its reply queue
    TaskKey key = new TaskKey(PREFIX + ".gone", "1");

    await(worker.publish(report(key, ReportStatus.SUCCESS), gone), "publishing to a gone caller");

    AmqpBackendEventRecorder.Event warning =
        events.await(EventCode.REPORT_FAILURE, "the dropped report");
    assertThat(warning.level()).isEqualTo(EventLevel.WARNING);
    assertThat(warning.message()).contains(gone).contains("nobody waits");
    assertThat(warning.key()).isEqualTo(key);
  }

  @Test
  void messageThatIsNotAReportIsDroppedWithAnErrorAndLaterReportsArrive() throws Exception {
    AmqpBackend backend = backend();
    AmqpBackendEventRecorder events = new AmqpBackendEventRecorder(time, BOUND);
    backend.attach(events);
    TaskKey key = new TaskKey(PREFIX + ".after-garbage", "1");
    Sink sink = new Sink();
    Subscription poll = backend.poll(key, sink);
    try (Connection connection = AmqpConnections.factory(AmqpTests.uri()).newConnection();
        Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      channel.basicPublish(
          "",
          backend.replyAddress(),
          new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
          "not a report".getBytes(UTF_8));
      channel.waitForConfirmsOrDie(BOUND.toMillis());
    }
    ReportEnvelope success = report(key, ReportStatus.SUCCESS);

    await(backend.publish(success, backend.replyAddress()), "publishing after the garbage");

    assertThat(sink.next("the report after the garbage").status()).isEqualTo(ReportStatus.SUCCESS);
    AmqpBackendEventRecorder.Event error =
        events.await(EventCode.DECODE_FAILURE, "the undecodable message");
    assertThat(error.level()).isEqualTo(EventLevel.ERROR);
    assertThat(error.message()).contains(backend.replyAddress()).contains("not a report");
    poll.cancel();
  }

  @Test
  void idempotentCallHeldByAnotherCallerFailsThePollInsteadOfHanging() throws Exception {
    AmqpBackend first = backend();
    AmqpBackend second = backend();
    String name = PREFIX + ".idem-elsewhere";
    Duration ttl = Duration.ofMinutes(1);
    assertThat(first.claimIdempotencyKey(name, "key", "id-first", ttl)).isEqualTo("id-first");

    String holder = second.claimIdempotencyKey(name, "key", "id-second", ttl);

    assertThat(holder).isEqualTo("id-first");
    Sink sink = new Sink();
    Subscription poll = second.poll(new TaskKey(name, holder), sink);
    ReportEnvelope report = sink.next("the report of the call held elsewhere");
    poll.cancel();
    assertThat(report.status()).isEqualTo(ReportStatus.FAIL);
    assertThat(report.key()).isEqualTo(new TaskKey(name, "id-first"));
    TaskError error = report.error();
    assertThat(error).isNotNull();
    assertThat(error.code()).isEqualTo(ErrorCode.GENERIC);
    assertThat(error.message())
        .contains("made first by another caller")
        .contains("RedisBackend")
        .contains(first.replyAddress());

    // The caller that made the call first still gets its real reports.
    assertThat(first.claimIdempotencyKey(name, "key", "id-again", ttl)).isEqualTo("id-first");
    Sink firstSink = new Sink();
    Subscription firstPoll = first.poll(new TaskKey(name, "id-first"), firstSink);
    await(
        first.publish(
            report(new TaskKey(name, "id-first"), ReportStatus.SUCCESS), first.replyAddress()),
        "the first caller's report");
    assertThat(firstSink.next("the first caller's report").status())
        .isEqualTo(ReportStatus.SUCCESS);
    firstPoll.cancel();
  }

  @Test
  void racingClaimsFromSeparateBackendsAgreeOnOneWinner() throws Exception {
    List<AmqpBackend> backends = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      backends.add(backend());
    }
    String name = PREFIX + ".idem-race";
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int round = 0; round < 10; round++) {
        String key = "key-" + round;
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<String>> claims = new ArrayList<>();
        for (int b = 0; b < backends.size(); b++) {
          AmqpBackend backend = backends.get(b);
          for (int t = 0; t < 4; t++) {
            String candidate = "id-" + b + "-" + t;
            claims.add(
                threads.submit(
                    () -> {
                      start.await();
                      return backend.claimIdempotencyKey(
                          name, key, candidate, Duration.ofMinutes(1));
                    }));
          }
        }
        start.countDown();
        java.util.Set<String> winners = new java.util.HashSet<>();
        for (var claim : claims) {
          winners.add(claim.get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertThat(winners).as("the holders the claims of %s returned", key).hasSize(1);
      }
    }
  }

  @Test
  void laterClaimantHerePollsTheHeldCallBeforeItsFirstReport() throws Exception {
    AmqpBackend backend = backend();
    String name = PREFIX + ".idem-here";
    Duration ttl = Duration.ofMinutes(1);
    assertThat(backend.claimIdempotencyKey(name, "key", "id-1", ttl)).isEqualTo("id-1");

    assertThat(backend.claimIdempotencyKey(name, "key", "id-2", ttl)).isEqualTo("id-1");

    Sink sink = new Sink();
    Subscription poll = backend.poll(new TaskKey(name, "id-1"), sink);
    await(
        backend.publish(
            report(new TaskKey(name, "id-1"), ReportStatus.SUCCESS), backend.replyAddress()),
        "the held call's report");
    assertThat(sink.next("the held call's first report").status()).isEqualTo(ReportStatus.SUCCESS);
    poll.cancel();
  }

  @Test
  void idempotentCallWhoseReportsWereDroppedFailsThePollInsteadOfHanging() throws Exception {
    AmqpBackend backend = backend(options().withRetainedCalls(1));
    String name = PREFIX + ".idem-dropped";
    Duration ttl = Duration.ofMinutes(1);
    TaskKey first = new TaskKey(name, "id-1");
    assertThat(backend.claimIdempotencyKey(name, "key", "id-1", ttl)).isEqualTo("id-1");
    await(backend.publish(report(first, ReportStatus.SUCCESS), backend.replyAddress()), "id-1");
    TaskKey other = new TaskKey(name, "other");
    await(backend.publish(report(other, ReportStatus.SUCCESS), backend.replyAddress()), "other");
    Sink otherSink = new Sink();
    backend.poll(other, otherSink);
    otherSink.next("the call that finished second"); // so the first one's reports are dropped
    assertThat(backend.log().holds(first)).isFalse();

    assertThat(backend.claimIdempotencyKey(name, "key", "id-2", ttl)).isEqualTo("id-1");

    Sink sink = new Sink();
    Subscription poll = backend.poll(first, sink);
    ReportEnvelope report = sink.next("the report of the dropped call");
    poll.cancel();
    assertThat(report.status()).isEqualTo(ReportStatus.FAIL);
    TaskError error = report.error();
    assertThat(error).isNotNull();
    assertThat(error.code()).isEqualTo(ErrorCode.GENERIC);
    assertThat(error.message()).contains("no longer keeps").contains("retainedCalls");
  }

  @Test
  void reportsOfThousandsOfConcurrentCallsAllArriveInOrder() throws Exception {
    AmqpBackend caller = backend();
    AmqpBackend worker = backend();
    int calls = 3_000;
    List<TaskKey> keys = new ArrayList<>();
    List<Sink> sinks = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      TaskKey key = new TaskKey(PREFIX + ".many", Integer.toString(i));
      Sink sink = new Sink();
      caller.poll(key, sink);
      keys.add(key);
      sinks.add(sink);
    }
    long start = System.nanoTime();
    List<CompletableFuture<Void>> published = new ArrayList<>();
    for (TaskKey key : keys) {
      // as a worker does: each report of a call once the previous one is confirmed
      published.add(
          worker
              .publish(report(key, ReportStatus.SENT), caller.replyAddress())
              .thenCompose(
                  v -> worker.publish(report(key, ReportStatus.PROGRESS), caller.replyAddress()))
              .thenCompose(
                  v -> worker.publish(report(key, ReportStatus.SUCCESS), caller.replyAddress()))
              .toCompletableFuture());
    }
    await(
        CompletableFuture.allOf(published.toArray(new CompletableFuture<?>[0])),
        "publishing " + calls * 3 + " reports");
    for (int i = 0; i < calls; i++) {
      assertThat(sinks.get(i).take(3, "the reports of " + keys.get(i)))
          .extracting(ReportEnvelope::status)
          .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS);
    }
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    System.out.printf(
        "AmqpBackendTest: %d reports of %d calls published and received in %d ms (%d/s)%n",
        calls * 3, calls, millis, 3_000L * calls / millis);
  }

  @Test
  void replyQueueDeletedByAnotherClientFailsAwaitedCallsIsDeclaredAgainAndLaterReportsArrive()
      throws Exception {
    AmqpBackend backend = backend();
    AmqpBackendEventRecorder events = new AmqpBackendEventRecorder(time, BOUND);
    backend.attach(events);
    TaskKey awaited = new TaskKey(PREFIX + ".deleted", "awaited");
    Sink awaitedSink = new Sink();
    Subscription awaitedPoll = backend.poll(awaited, awaitedSink);
    try (Connection connection = AmqpConnections.factory(AmqpTests.uri()).newConnection();
        Channel channel = connection.createChannel()) {
      channel.queueDelete(backend.replyAddress());
    }

    AmqpBackendEventRecorder.Event error =
        events.awaitLevel(EventCode.CONNECTION, EventLevel.ERROR, "the deleted reply queue");
    assertThat(error.message()).contains(backend.replyAddress()).contains("declaring it again");
    ReportEnvelope failed = awaitedSink.next("the FAIL of a call awaited when the queue went");
    awaitedPoll.cancel();
    assertThat(failed.status()).isEqualTo(ReportStatus.FAIL);
    TaskError failure = failed.error();
    assertThat(failure).isNotNull();
    assertThat(failure.code()).isEqualTo(ErrorCode.GENERIC);
    assertThat(failure.message()).contains("was deleted").contains("reports may be lost");

    TaskKey key = new TaskKey(PREFIX + ".deleted", "1");
    Sink sink = new Sink();
    Subscription poll = backend.poll(key, sink);
    ReportEnvelope success = report(key, ReportStatus.SUCCESS);
    long deadline = System.nanoTime() + BOUND.toNanos();
    ReportEnvelope next = null;
    // until the queue is declared again, a report to it is dropped (with a warning): send again;
    // copies that do arrive are the same bytes, kept once
    while (next == null && System.nanoTime() < deadline) {
      await(backend.publish(success, backend.replyAddress()), "a report after the deletion");
      next = sink.received.poll(100, TimeUnit.MILLISECONDS);
    }
    poll.cancel();
    assertThat(next).as("a report after the deletion, within %s", BOUND).isNotNull();
    assertThat(next.status()).isEqualTo(ReportStatus.SUCCESS);
    awaitSecondConsume(backend);
    assertThat(backend.recordedReplyConsumers())
        .as("reply consumers the client would bring back at the next recovery")
        .isEqualTo(1);
  }

  @Test
  void replyQueueThatExpiredDuringAnOutageFailsTheAwaitedCalls() throws Exception {
    AmqpBackend backend = backend(options().withReplyQueueExpiry(Duration.ofMillis(200)));
    AmqpBackendEventRecorder events = new AmqpBackendEventRecorder(time, BOUND);
    backend.attach(events);
    TaskKey key = new TaskKey(PREFIX + ".expired-in-outage", "1");
    Sink sink = new Sink();
    Subscription poll = backend.poll(key, sink);
    await(backend.publish(report(key, ReportStatus.SENT), backend.replyAddress()), "SENT");
    assertThat(sink.next("SENT before the outage").status()).isEqualTo(ReportStatus.SENT);

    // the client reconnects after a second, long after the queue's 200 ms expiry
    AmqpBackendTestQueues.closeConnection(backend.connectionLocalPort());

    ReportEnvelope failed = sink.next("the FAIL after the outage");
    poll.cancel();
    assertThat(failed.status()).isEqualTo(ReportStatus.FAIL);
    TaskError failure = failed.error();
    assertThat(failure).isNotNull();
    assertThat(failure.message()).contains("expired").contains("reports may be lost");
  }

  @Test
  void resultLargerThanTheDefaultPayloadLimitReachesThePoll() throws Exception {
    AmqpBackend backend = backend();
    AmqpBackendEventRecorder events = new AmqpBackendEventRecorder(time, BOUND);
    backend.attach(events);
    TaskKey key = new TaskKey(PREFIX + ".large", "1");
    RawSink sink = new RawSink();
    Subscription poll = backend.poll(key, sink);
    Instant at = Instant.now();
    byte[] value = new byte[2 << 20];
    ReportEnvelope large =
        new ReportEnvelope(
            EnvelopeCodec.VERSION,
            key,
            ReportStatus.SUCCESS,
            1,
            Marshallers.JSON,
            value,
            null,
            null,
            at,
            at.plus(Duration.ofHours(1)));

    await(backend.publish(large, backend.replyAddress()), "the 2 MiB result");

    byte[] received = sink.next("the 2 MiB result");
    poll.cancel();
    assertThat(EnvelopeCodec.decodeReport(received, Integer.MAX_VALUE).value()).hasSize(2 << 20);
    // decoded, not handed on undecoded: the event would have come before the report
    assertThat(events.recorded())
        .extracting(AmqpBackendEventRecorder.Event::code)
        .doesNotContain(EventCode.DECODE_FAILURE);
  }

  @Test
  void reportThatDoesNotDecodeButNamesItsCallIsHandedToThatCallsPoll() throws Exception {
    AmqpBackend backend = backend();
    AmqpBackendEventRecorder events = new AmqpBackendEventRecorder(time, BOUND);
    backend.attach(events);
    TaskKey key = new TaskKey(PREFIX + ".newer-format", "1");
    RawSink sink = new RawSink();
    Subscription poll = backend.poll(key, sink);
    byte[] newer = EnvelopeCodec.encode(report(key, ReportStatus.SUCCESS));
    newer[2] = (byte) (EnvelopeCodec.VERSION + 1);
    try (Connection connection = AmqpConnections.factory(AmqpTests.uri()).newConnection();
        Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      channel.basicPublish(
          "", backend.replyAddress(), new AMQP.BasicProperties.Builder().build(), newer);
      channel.waitForConfirmsOrDie(BOUND.toMillis());
    }

    assertThat(sink.next("the report of a newer format")).isEqualTo(newer);
    poll.cancel();
    AmqpBackendEventRecorder.Event error =
        events.await(EventCode.DECODE_FAILURE, "the report of a newer format");
    assertThat(error.key()).isEqualTo(key);
  }

  @Test
  void sinkThatThrowsAnErrorDoesNotStopLaterReports() throws Exception {
    AmqpBackend backend = backend();
    TaskKey throwing = new TaskKey(PREFIX + ".sink-error", "throws");
    Subscription throwingPoll =
        backend.poll(
            throwing,
            bytes -> {
              throw new AssertionError("a sink that throws an Error");
            });
    await(
        backend.publish(report(throwing, ReportStatus.SUCCESS), backend.replyAddress()),
        "the report to the throwing sink");
    TaskKey key = new TaskKey(PREFIX + ".sink-error", "after");
    Sink sink = new Sink();
    Subscription poll = backend.poll(key, sink);

    await(backend.publish(report(key, ReportStatus.SUCCESS), backend.replyAddress()), "after");

    assertThat(sink.next("the report after the sink's Error").status())
        .isEqualTo(ReportStatus.SUCCESS);
    poll.cancel();
    throwingPoll.cancel();
  }

  @Test
  void replyChannelClosedByTheBrokerIsReplacedAndLaterReportsArrive() throws Exception {
    AmqpBackend backend = backend();
    AmqpBackendEventRecorder events = new AmqpBackendEventRecorder(time, BOUND);
    backend.attach(events);
    Channel closing = backend.consumerChannel();

    closing.basicAck(987_654, false); // an unknown delivery tag: the broker closes the channel

    events.awaitLevel(EventCode.CONNECTION, EventLevel.ERROR, "the closed reply channel");
    TaskKey key = new TaskKey(PREFIX + ".channel-closed", "1");
    Sink sink = new Sink();
    Subscription poll = backend.poll(key, sink);
    await(backend.publish(report(key, ReportStatus.SUCCESS), backend.replyAddress()), "after");
    assertThat(sink.next("the report after the channel closed").status())
        .isEqualTo(ReportStatus.SUCCESS);
    poll.cancel();
    awaitSecondConsume(backend);
    assertThat(backend.recordedReplyConsumers())
        .as("reply consumers the client would bring back at the next recovery")
        .isEqualTo(1);
  }

  @Test
  void publishToAReplyAddressThatIsNotAReplyQueueFailsSayingWhy() {
    AmqpBackend backend = backend();
    TaskKey key = new TaskKey(PREFIX + ".bad-reply", "1");

    Throwable failure =
        failureOf(backend.publish(report(key, ReportStatus.SUCCESS), PREFIX + ".tasks.default"));

    assertThat(failure)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a reply queue")
        .hasMessageContaining(PREFIX + ".reply.");
  }

  @Test
  void claimantsRacingInOneBackendNeverFailTheWinningCall() throws Exception {
    AmqpBackend backend = backend();
    String name = PREFIX + ".idem-local-race";
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int round = 0; round < 20; round++) {
        String key = "key-" + round;
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<String>> claims = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          String candidate = "id-" + round + "-" + t;
          claims.add(
              threads.submit(
                  () -> {
                    start.await();
                    return backend.claimIdempotencyKey(name, key, candidate, Duration.ofMinutes(1));
                  }));
        }
        start.countDown();
        java.util.Set<String> winners = new java.util.HashSet<>();
        for (var claim : claims) {
          winners.add(claim.get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertThat(winners).hasSize(1);
        Sink sink = new Sink();
        Subscription poll = backend.poll(new TaskKey(name, winners.iterator().next()), sink);
        poll.cancel();
        // the replay runs on this thread before poll returns: a FAIL put there would be in it
        assertThat(sink.received).as("reports of the winning call of %s", key).isEmpty();
      }
    }
  }

  @Test
  void unreachableServerFailsConnectNamingItWithoutThePassword() {
    URI nowhere = URI.create("amqp://guest:secret@127.0.0.1:1/%2F?connection_timeout=2000");

    Throwable failure = catchThrowable(() -> AmqpBackend.connect(nowhere, time));

    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("127.0.0.1:1")
        .hasMessageNotContaining("secret");
  }

  @Test
  void retentionCapDropsTheCallThatFinishedFirst() throws Exception {
    AmqpBackend backend = backend(options().withRetainedCalls(2));
    List<TaskKey> keys = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      TaskKey key = new TaskKey(PREFIX + ".cap", Integer.toString(i));
      keys.add(key);
      await(backend.publish(report(key, ReportStatus.SENT), backend.replyAddress()), "SENT " + key);
      await(
          backend.publish(report(key, ReportStatus.SUCCESS), backend.replyAddress()),
          "SUCCESS " + key);
    }
    // One queue, consumed in order: once the last call's final report is here, all are.
    Sink last = new Sink();
    Subscription lastPoll = backend.poll(keys.get(2), last);
    assertThat(last.take(2, "the last call's reports")).hasSize(2);
    lastPoll.cancel();

    Sink oldest = new Sink();
    backend.poll(keys.get(0), oldest).cancel(); // a poll replays what is kept before returning
    Sink second = new Sink();
    backend.poll(keys.get(1), second).cancel();

    assertThat(oldest.received).as("reports kept of the call that finished first").isEmpty();
    assertThat(second.received).as("reports kept of the second call").hasSize(2);
    assertThat(backend.log().hasFinal(keys.get(0))).isFalse();
    assertThat(backend.log().hasFinal(keys.get(2))).isTrue();
  }

  @Test
  void claimExpiresAfterItsTimeToLive() throws Exception {
    AmqpBackend backend = backend();
    String name = PREFIX + ".idem-expiry";
    assertThat(backend.claimIdempotencyKey(name, "key", "id-short", Duration.ofMillis(300)))
        .isEqualTo("id-short");
    assertThat(backend.claimIdempotencyKey(name, "key", "id-later", Duration.ofMinutes(1)))
        .as("a claim while the first holds")
        .isEqualTo("id-short");

    long deadline = System.nanoTime() + BOUND.toNanos();
    String holder;
    do {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      holder = backend.claimIdempotencyKey(name, "key", "id-later", Duration.ofMinutes(1));
    } while (!holder.equals("id-later") && System.nanoTime() < deadline);

    assertThat(holder).as("the holder once the first claim expired").isEqualTo("id-later");
    assertThat(backend.claimIdempotencyKey(name, "key", "id-third", Duration.ofMinutes(1)))
        .isEqualTo("id-later");
  }

  @Test
  void claimQueueDeclaredWithOtherArgumentsFailsTheClaimSayingWhy() throws Exception {
    AmqpBackend backend = backend();
    String name = PREFIX + ".idem-other-args";
    try (Connection connection = AmqpConnections.factory(AmqpTests.uri()).newConnection();
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(
          IdempotencyClaims.queueName(PREFIX, name, "key"),
          true,
          false,
          false,
          Map.of("x-expires", 60_000L));
    }

    Throwable failure =
        catchThrowable(
            () -> backend.claimIdempotencyKey(name, "key", "id-1", Duration.ofMinutes(1)));

    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exists with other arguments")
        .hasMessageContaining("claimQueueExpiry");
    assertThat(backend.claimIdempotencyKey(name + ".fresh", "key", "id-2", Duration.ofMinutes(1)))
        .as("a claim after the refused one")
        .isEqualTo("id-2");
  }

  @Test
  void claimPastItsDeadlineFailsSayingRabbitMqDidNotAnswerAndNamingBothQueues() throws Exception {
    try (Connection connection = AmqpConnections.factory(AmqpTests.uri()).newConnection()) {
      ConfirmingPublisher publisher = new ConfirmingPublisher(connection, "test");
      IdempotencyClaims claims =
          new IdempotencyClaims(
              connection,
              publisher,
              PREFIX,
              Duration.ofMinutes(5),
              "r",
              Duration.ofNanos(1),
              () -> false);
      String name = PREFIX + ".idem-deadline";

      Throwable failure =
          catchThrowable(() -> claims.claim(name, "key", "id-1", Duration.ofMinutes(1)));

      assertThat(failure)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("RabbitMQ did not answer within")
          .hasMessageContaining(IdempotencyClaims.queueName(PREFIX, name, "key"))
          .hasMessageContaining(IdempotencyClaims.holderQueue(PREFIX, name, "key"));
      claims.close();
      publisher.close();
    }
  }

  @Test
  void claimOfAClosedBackendEndsSayingSo() throws Exception {
    try (Connection connection = AmqpConnections.factory(AmqpTests.uri()).newConnection()) {
      ConfirmingPublisher publisher = new ConfirmingPublisher(connection, "test");
      IdempotencyClaims claims =
          new IdempotencyClaims(
              connection,
              publisher,
              PREFIX,
              Duration.ofMinutes(5),
              "r",
              Duration.ofSeconds(10),
              () -> true);

      Throwable failure =
          catchThrowable(
              () -> claims.claim(PREFIX + ".idem-closed", "key", "id-1", Duration.ofMinutes(1)));

      assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("backend is closed");
      claims.close();
      publisher.close();
    }
  }

  @Test
  void claimQueueNamesKeepNamesAndKeysApartWithin255Bytes() {
    String split1 = IdempotencyClaims.queueName("p", "a.b", "c");
    String split2 = IdempotencyClaims.queueName("p", "a", "b.c");
    String longKey = "k".repeat(400);
    String hashed = IdempotencyClaims.queueName("p", "name", longKey);

    assertThat(split1).isNotEqualTo(split2).startsWith("p.idem.c.");
    assertThat(IdempotencyClaims.holderQueue("p", "name", longKey).getBytes(StandardCharsets.UTF_8))
        .hasSizeLessThanOrEqualTo(255);
    assertThat(hashed)
        .startsWith("p.idem.c.sha256.")
        .isEqualTo(IdempotencyClaims.queueName("p", "name", longKey));
    assertThat(IdempotencyClaims.queueName("p", "name", longKey + "x")).isNotEqualTo(hashed);
  }

  @Test
  void noKeysClaimQueueIsAnotherKeysHolderQueue() {
    for (String key : List.of("k", "k.holder", "h", "c.1.n.k")) {
      for (String other : List.of("k", "k.holder", "h", "c.1.n.k")) {
        assertThat(IdempotencyClaims.queueName("p", "n", key))
            .as("claim queue of %s against holder queue of %s", key, other)
            .isNotEqualTo(IdempotencyClaims.holderQueue("p", "n", other));
      }
    }
    String longKey = "k".repeat(400);
    assertThat(IdempotencyClaims.holderQueue("p", "n", longKey)).startsWith("p.idem.h.sha256.");
  }

  @Test
  void claimsOfAKeyAndOfThatKeyDotHolderBothSucceed() {
    AmqpBackend backend = backend();
    String name = PREFIX + ".idem-holder-suffix";

    assertThat(backend.claimIdempotencyKey(name, "k", "id-1", Duration.ofMinutes(1)))
        .isEqualTo("id-1");
    assertThat(backend.claimIdempotencyKey(name, "k.holder", "id-2", Duration.ofMinutes(1)))
        .as("the claim of a key named like the first key's holder queue")
        .isEqualTo("id-2");
  }

  @Test
  void consumingResumesAfterTheServerClosesTheConnection() throws Exception {
    AmqpBackend backend = backend();
    AmqpBackendEventRecorder events = new AmqpBackendEventRecorder(time, BOUND);
    backend.attach(events);
    TaskKey key = new TaskKey(PREFIX + ".recover", "1");
    Sink sink = new Sink();
    Subscription poll = backend.poll(key, sink);
    await(backend.publish(report(key, ReportStatus.SENT), backend.replyAddress()), "SENT");
    assertThat(sink.next("SENT before the close").status()).isEqualTo(ReportStatus.SENT);

    AmqpBackendTestQueues.closeConnection(backend.connectionLocalPort());
    AmqpBackendEventRecorder.Event lost = events.await(EventCode.CONNECTION, "the lost connection");
    assertThat(lost.level()).isEqualTo(EventLevel.WARNING);
    events.awaitLevel(EventCode.CONNECTION, EventLevel.INFO, "the recovery");

    ReportEnvelope success = report(key, ReportStatus.SUCCESS);
    await(backend.publish(success, backend.replyAddress()), "SUCCESS after the recovery");
    assertThat(sink.next("SUCCESS after the recovery").status()).isEqualTo(ReportStatus.SUCCESS);
    poll.cancel();
  }

  // ---- helpers ----

  private ReportEnvelope report(TaskKey key, ReportStatus status) {
    Instant at = Instant.now();
    return new ReportEnvelope(
        EnvelopeCodec.VERSION,
        key,
        status,
        1,
        Marshallers.JSON,
        status == ReportStatus.SUCCESS ? "42".getBytes(UTF_8) : null,
        status == ReportStatus.FAIL ? new TaskError(ErrorCode.TASK_FAILED, "failed") : null,
        status == ReportStatus.PROGRESS ? new Progress(50, "half") : null,
        at,
        at.plus(Duration.ofHours(1)));
  }

  /** Waits until the backend consumed its reply queue again (a report may come just before). */
  private static void awaitSecondConsume(AmqpBackend backend) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (backend.consumes() < 2) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("the reply queue was not consumed again within " + BOUND);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private static void await(CompletionStage<Void> stage, String what) throws Exception {
    try {
      stage.toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + BOUND, e);
    }
  }

  private static Throwable failureOf(CompletionStage<Void> stage) {
    CompletableFuture<Void> future = stage.toCompletableFuture();
    try {
      future.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("the stage did not fail within " + BOUND, e);
    }
    throw new AssertionError("the stage completed normally");
  }

  /** What a poll streams, undecoded, in arrival order. */
  private static final class RawSink implements Consumer<byte[]> {
    final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

    @Override
    public void accept(byte[] bytes) {
      received.add(bytes);
    }

    byte[] next(String what) throws InterruptedException {
      byte[] next = received.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      if (next == null) {
        throw new AssertionError("waiting for " + what + " within " + BOUND);
      }
      return next;
    }
  }

  /** Decodes what a poll streams, in arrival order. */
  private static final class Sink implements Consumer<byte[]> {
    final LinkedBlockingQueue<ReportEnvelope> received = new LinkedBlockingQueue<>();

    @Override
    public void accept(byte[] bytes) {
      received.add(EnvelopeCodec.decodeReport(bytes));
    }

    ReportEnvelope next(String what) throws InterruptedException {
      return take(1, what).get(0);
    }

    List<ReportEnvelope> take(int count, String what) throws InterruptedException {
      List<ReportEnvelope> taken = new ArrayList<>();
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (taken.size() < count) {
        ReportEnvelope next = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (next == null) {
          throw new AssertionError(
              "waiting for " + what + ": " + taken.size() + " of " + count + " within " + BOUND);
        }
        taken.add(next);
      }
      return taken;
    }
  }
}
