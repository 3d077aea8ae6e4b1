package dev.baton.tasks.memory;

import static dev.baton.tasks.memory.TestTasks.WAIT;
import static dev.baton.tasks.memory.TestTasks.failsClosed;
import static dev.baton.tasks.memory.TestTasks.status;
import static dev.baton.tasks.memory.TestTasks.succeeds;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.memory.TestTasks.RecordingContext;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.Subscription;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemoryBackendTest {
  private static final Duration EXPIRY = Duration.ofHours(1);

  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryBackend backend = new InMemoryBackend(time);
  private final RecordingContext context = new RecordingContext(time);

  InMemoryBackendTest() {
    backend.attach(context);
  }

  @AfterEach
  void close() {
    backend.close();
  }

  private ReportEnvelope report(TaskKey key, ReportStatus status) {
    return TestTasks.report(key, status, time.now(), time.now().plus(EXPIRY));
  }

  private void publishAll(TaskKey key) {
    succeeds(backend.publish(report(key, ReportStatus.SENT), null));
    succeeds(backend.publish(report(key, ReportStatus.PROGRESS), null));
    succeeds(backend.publish(report(key, ReportStatus.SUCCESS), null));
  }

  private static List<ReportStatus> statuses(List<byte[]> reports) {
    return reports.stream().map(TestTasks::status).toList();
  }

  @Test
  void reportsPublishedBeforeAnyonePolls_areKept_andReplayedInOrder() {
    TaskKey key = new TaskKey("t", "1");
    publishAll(key);
    List<byte[]> received = new ArrayList<>();

    backend.poll(key, received::add);

    assertThat(statuses(received))
        .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS);
    ReportEnvelope decoded = EnvelopeCodec.decodeReport(received.get(0));
    assertThat(decoded.key()).isEqualTo(key);
  }

  @Test
  void aPoll_replaysWhatIsStored_thenStreamsNewReports() {
    TaskKey key = new TaskKey("t", "1");
    succeeds(backend.publish(report(key, ReportStatus.SENT), null));
    List<byte[]> received = new ArrayList<>();
    backend.poll(key, received::add);
    assertThat(statuses(received)).containsExactly(ReportStatus.SENT);

    succeeds(backend.publish(report(key, ReportStatus.PROGRESS), null));
    succeeds(backend.publish(report(key, ReportStatus.SUCCESS), null));

    assertThat(statuses(received))
        .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS);
  }

  @Test
  void hundredKeys_eachSeeSentProgressSuccessInOrder_underConcurrentPublishers() throws Exception {
    int keys = 100;
    Map<TaskKey, Queue<ReportStatus>> received = new ConcurrentHashMap<>();
    Map<TaskKey, AtomicInteger> concurrentCalls = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    List<TaskKey> all = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      TaskKey key = new TaskKey("t" + (i % 3), Integer.toString(i));
      all.add(key);
      received.put(key, new ConcurrentLinkedQueue<>());
      concurrentCalls.put(key, new AtomicInteger());
    }
    // Half the keys are polled before anything is published, half after.
    for (int i = 0; i < keys; i += 2) {
      poll(all.get(i), received, concurrentCalls, overlaps);
    }
    ExecutorService publishers = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        int first = p;
        done.add(
            publishers.submit(
                () -> {
                  start.await();
                  for (int i = first; i < keys; i += 4) {
                    publishAll(all.get(i));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      publishers.shutdownNow();
    }
    for (int i = 1; i < keys; i += 2) {
      poll(all.get(i), received, concurrentCalls, overlaps);
    }

    assertThat(overlaps).hasValue(0);
    assertThat(received.values())
        .allSatisfy(
            statuses ->
                assertThat(statuses)
                    .containsExactly(
                        ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS));
  }

  private void poll(
      TaskKey key,
      Map<TaskKey, Queue<ReportStatus>> received,
      Map<TaskKey, AtomicInteger> concurrentCalls,
      AtomicInteger overlaps) {
    backend.poll(
        key,
        bytes -> {
          AtomicInteger calls = requireNonNull(concurrentCalls.get(key));
          if (calls.incrementAndGet() != 1) {
            overlaps.incrementAndGet();
          }
          ReportEnvelope report = EnvelopeCodec.decodeReport(bytes);
          assertThat(report.key()).isEqualTo(key);
          requireNonNull(received.get(key)).add(report.status());
          calls.decrementAndGet();
        });
  }

  @Test
  void theSameIdUnderDifferentNames_staysApart() {
    TaskKey a = new TaskKey("a", "1");
    TaskKey b = new TaskKey("b", "1");
    succeeds(backend.publish(report(a, ReportStatus.SUCCESS), null));
    succeeds(backend.publish(report(b, ReportStatus.SENT), null));
    succeeds(backend.publish(report(b, ReportStatus.FAIL), null));
    List<byte[]> fromA = new ArrayList<>();
    List<byte[]> fromB = new ArrayList<>();

    backend.poll(a, fromA::add);
    backend.poll(b, fromB::add);

    assertThat(statuses(fromA)).containsExactly(ReportStatus.SUCCESS);
    assertThat(statuses(fromB)).containsExactly(ReportStatus.SENT, ReportStatus.FAIL);
  }

  @Test
  void done_stopsPolls_butKeepsReportsForALaterPoll() {
    TaskKey key = new TaskKey("t", "1");
    List<byte[]> first = new ArrayList<>();
    backend.poll(key, first::add);
    succeeds(backend.publish(report(key, ReportStatus.SUCCESS), null));
    backend.done(key);
    succeeds(
        backend.publish(report(key, ReportStatus.FAIL), null)); // a stray duplicate: stored only

    List<byte[]> later = new ArrayList<>();
    backend.poll(key, later::add);

    assertThat(statuses(first)).containsExactly(ReportStatus.SUCCESS);
    assertThat(statuses(later)).containsExactly(ReportStatus.SUCCESS, ReportStatus.FAIL);
    backend.done(new TaskKey("never", "seen")); // nothing to do
  }

  @Test
  void aCancelledPoll_receivesNothingMore() {
    TaskKey key = new TaskKey("t", "1");
    List<byte[]> received = new ArrayList<>();
    Subscription poll = backend.poll(key, received::add);
    succeeds(backend.publish(report(key, ReportStatus.SENT), null));

    poll.cancel();
    poll.cancel();
    succeeds(backend.publish(report(key, ReportStatus.SUCCESS), null));

    assertThat(statuses(received)).containsExactly(ReportStatus.SENT);
  }

  @Test
  void aSinkThatPublishes_isNotReentered_andOrderHolds() {
    TaskKey key = new TaskKey("t", "1");
    List<ReportStatus> received = new ArrayList<>();
    AtomicInteger depth = new AtomicInteger();
    AtomicInteger maxDepth = new AtomicInteger();
    backend.poll(
        key,
        bytes -> {
          maxDepth.accumulateAndGet(depth.incrementAndGet(), Math::max);
          ReportStatus status = status(bytes);
          received.add(status);
          if (status == ReportStatus.SENT) {
            succeeds(backend.publish(report(key, ReportStatus.PROGRESS), null));
            succeeds(backend.publish(report(key, ReportStatus.SUCCESS), null));
          }
          depth.decrementAndGet();
        });

    succeeds(backend.publish(report(key, ReportStatus.SENT), null));

    assertThat(received)
        .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS);
    assertThat(maxDepth).hasValue(1);
  }

  @Test
  void aSinkThatThrows_isReported_andItsPollGoesOn() {
    TaskKey key = new TaskKey("t", "1");
    List<ReportStatus> received = new ArrayList<>();
    backend.poll(
        key,
        bytes -> {
          received.add(status(bytes));
          throw new IllegalStateException("sink broke");
        });

    publishAll(key);

    assertThat(received)
        .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS);
    assertThat(context.events)
        .hasSize(3)
        .allSatisfy(
            event -> {
              assertThat(event.level()).isEqualTo(EventLevel.WARNING);
              assertThat(event.code()).isEqualTo(EventCode.REPORT_FAILURE);
              assertThat(event.key()).isEqualTo(key);
            });
  }

  // --- expiry -----------------------------------------------------------------------------------

  @Test
  void reports_areDroppedOnceTheFinalReportExpires() {
    TaskKey key = new TaskKey("t", "1");
    publishAll(key);
    List<byte[]> live = new ArrayList<>();
    backend.poll(key, live::add);

    time.advance(EXPIRY.minusNanos(1));
    List<byte[]> beforeExpiry = new ArrayList<>();
    backend.poll(key, beforeExpiry::add);
    assertThat(beforeExpiry).hasSize(3);

    time.advance(Duration.ofNanos(1));
    List<byte[]> afterExpiry = new ArrayList<>();
    backend.poll(key, afterExpiry::add);
    assertThat(afterExpiry).isEmpty();
    assertThat(time.pendingTasks()).isZero();

    // The polls of the expired entry were stopped; the new poll sees new reports only.
    succeeds(backend.publish(report(key, ReportStatus.SENT), null));
    assertThat(live).hasSize(3);
    assertThat(afterExpiry).hasSize(1);
  }

  @Test
  void theFinalReportsExpiry_wins_laterOrEarlier() {
    Instant start = time.now();
    TaskKey later = new TaskKey("t", "later");
    succeeds(
        backend.publish(
            TestTasks.report(later, ReportStatus.SENT, start, start.plus(Duration.ofMinutes(10))),
            null));
    succeeds(
        backend.publish(
            TestTasks.report(later, ReportStatus.SUCCESS, start, start.plus(Duration.ofHours(2))),
            null));
    TaskKey earlier = new TaskKey("t", "earlier");
    succeeds(
        backend.publish(
            TestTasks.report(earlier, ReportStatus.SENT, start, start.plus(Duration.ofDays(1))),
            null));
    succeeds(
        backend.publish(
            TestTasks.report(earlier, ReportStatus.FAIL, start, start.plus(Duration.ofHours(1))),
            null));

    time.advance(Duration.ofHours(1));
    assertThat(storedCount(later)).isEqualTo(2);
    assertThat(storedCount(earlier)).isZero();

    time.advance(Duration.ofHours(1));
    assertThat(storedCount(later)).isZero();
    assertThat(time.pendingTasks()).isZero();
  }

  private int storedCount(TaskKey key) {
    List<byte[]> replay = new ArrayList<>();
    Subscription poll = backend.poll(key, replay::add);
    poll.cancel();
    return replay.size();
  }

  @Test
  void reportsWithoutAFinalOne_expireToo() {
    TaskKey key = new TaskKey("t", "1");
    succeeds(backend.publish(report(key, ReportStatus.SENT), null));

    time.advance(EXPIRY);

    assertThat(storedCount(key)).isZero();
  }

  // --- idempotency ------------------------------------------------------------------------------

  @Test
  void anIdempotencyKey_isHeldByTheFirstClaim_perTaskName_untilItsTtl() {
    Duration ttl = Duration.ofMinutes(5);
    assertThat(backend.claimIdempotencyKey("charge", "order-1", "id-1", ttl)).isEqualTo("id-1");
    assertThat(backend.claimIdempotencyKey("charge", "order-1", "id-2", ttl)).isEqualTo("id-1");
    assertThat(backend.claimIdempotencyKey("refund", "order-1", "id-3", ttl)).isEqualTo("id-3");
    assertThat(backend.claimIdempotencyKey("charge", "order-2", "id-4", ttl)).isEqualTo("id-4");

    time.advance(ttl.minusNanos(1));
    assertThat(backend.claimIdempotencyKey("charge", "order-1", "id-5", ttl)).isEqualTo("id-1");
    time.advance(Duration.ofNanos(1));
    assertThat(backend.claimIdempotencyKey("charge", "order-1", "id-6", ttl)).isEqualTo("id-6");

    assertThatThrownBy(() -> backend.claimIdempotencyKey("charge", "k", "id", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentClaims_haveExactlyOneWinner() throws Exception {
    int threads = 8;
    ExecutorService claimants = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      for (int round = 0; round < 200; round++) {
        String idempotencyKey = "key-" + round;
        List<Future<String>> answers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String candidate = "candidate-" + t;
          answers.add(
              claimants.submit(
                  () -> {
                    start.await();
                    return backend.claimIdempotencyKey(
                        "task", idempotencyKey, candidate, Duration.ofMinutes(1));
                  }));
        }
        if (round == 0) {
          start.countDown();
        }
        Set<String> winners = new HashSet<>();
        for (Future<String> answer : answers) {
          winners.add(answer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertThat(winners).hasSize(1);
        assertThat(winners.iterator().next()).startsWith("candidate-");
      }
    } finally {
      claimants.shutdownNow();
    }
  }

  // --- lifecycle --------------------------------------------------------------------------------

  @Test
  void close_isIdempotent_cancelsPollsAndTimers_andFailsLaterCalls() {
    TaskKey key = new TaskKey("t", "1");
    List<byte[]> received = new ArrayList<>();
    backend.poll(key, received::add);
    publishAll(key);
    assertThat(backend.claimIdempotencyKey("t", "k", "1", Duration.ofMinutes(1))).isEqualTo("1");
    assertThat(time.pendingTasks()).isEqualTo(2);

    backend.close();
    backend.close();

    assertThat(time.pendingTasks()).isZero();
    failsClosed(backend.publish(report(key, ReportStatus.FAIL), null), "backend is closed");
    assertThatThrownBy(() -> backend.poll(key, received::add))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("backend is closed");
    assertThatThrownBy(() -> backend.claimIdempotencyKey("t", "k", "2", Duration.ofMinutes(1)))
        .isInstanceOf(IllegalStateException.class);
    backend.done(key);
    assertThat(received).hasSize(3);
  }

  @Test
  void publishFails_forAReportOfAnotherVersion() {
    ReportEnvelope version2 =
        new ReportEnvelope(
            2,
            new TaskKey("t", "1"),
            ReportStatus.SENT,
            1,
            0,
            null,
            null,
            null,
            time.now(),
            time.now());

    assertThat(backend.publish(version2, null).toCompletableFuture())
        .failsWithin(WAIT)
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(IllegalArgumentException.class);
  }
}
