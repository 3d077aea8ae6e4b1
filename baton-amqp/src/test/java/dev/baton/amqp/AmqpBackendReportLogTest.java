package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AttachedContexts;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.Subscription;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The caller-side log of the RabbitMQ backend on a manual clock, no server: expiry by the periodic
 * purge, polled, reserved and pinned calls kept, calls done without a claim dropped beyond the
 * recent ones, duplicates dropped (and only duplicates), a throwing sink reported.
 */
class AmqpBackendReportLogTest {

  private static final Duration EXPIRY = Duration.ofHours(1);

  private final ManualTimeSource time = new ManualTimeSource();
  private final AttachedContexts events = new AttachedContexts();
  private final ReportLog log = new ReportLog(time, events, 100);

  @Test
  void purgeDropsUnpolledCallsPastTheirExpiryAndKeepsPolledAndReservedOnes() {
    TaskKey unpolled = new TaskKey("purge", "unpolled");
    TaskKey polled = new TaskKey("purge", "polled");
    TaskKey reserved = new TaskKey("purge", "reserved");
    TaskKey fresh = new TaskKey("purge", "fresh");
    append(report(unpolled, ReportStatus.SUCCESS));
    append(report(polled, ReportStatus.SENT));
    Subscription poll = log.poll(polled, bytes -> {});
    log.reserve(reserved, time.now().plus(EXPIRY.multipliedBy(2)));

    time.advance(EXPIRY.plus(ReportLog.PURGE_INTERVAL));
    append(report(fresh, ReportStatus.SUCCESS));
    time.advance(ReportLog.PURGE_INTERVAL);

    assertThat(log.holds(unpolled)).as("an unpolled call past its expiry").isFalse();
    assertThat(log.holds(polled)).as("a polled call past its expiry").isTrue();
    assertThat(log.holds(reserved)).as("a reserved call before its reservation ends").isTrue();
    assertThat(log.holds(fresh)).as("a call before its expiry").isTrue();

    poll.cancel();
    time.advance(EXPIRY);
    assertThat(log.holds(polled)).as("the call once its poll ended").isFalse();
    assertThat(log.holds(reserved)).as("the call once its reservation ended").isFalse();
  }

  @Test
  void sameBytesTwiceAreKeptOnce() {
    TaskKey key = new TaskKey("dup", "1");
    ReportEnvelope sent = report(key, ReportStatus.SENT);
    byte[] bytes = EnvelopeCodec.encode(sent);

    assertThat(log.append(sent, bytes)).isTrue();
    assertThat(log.append(sent, bytes.clone())).as("a redelivery of the same report").isFalse();

    List<byte[]> replayed = new ArrayList<>();
    log.poll(key, replayed::add).cancel();
    assertThat(replayed).hasSize(1);
  }

  @Test
  void sinkThatThrowsIsReportedAndItsPollGoesOn() throws InterruptedException {
    AmqpBackendEventRecorder recorder = new AmqpBackendEventRecorder(time, Duration.ofSeconds(1));
    events.attach(recorder);
    TaskKey key = new TaskKey("throws", "1");
    List<ReportStatus> seen = new ArrayList<>();
    log.poll(
        key,
        bytes -> {
          ReportEnvelope report = EnvelopeCodec.decodeReport(bytes);
          seen.add(report.status());
          if (report.status() == ReportStatus.SENT) {
            throw new IllegalStateException("sink failure");
          }
        });

    append(report(key, ReportStatus.SENT));
    append(report(key, ReportStatus.SUCCESS));

    assertThat(seen).containsExactly(ReportStatus.SENT, ReportStatus.SUCCESS);
    AmqpBackendEventRecorder.Event warning =
        recorder.awaitLevel(EventCode.REPORT_FAILURE, EventLevel.WARNING, "the throwing sink");
    assertThat(warning.key()).isEqualTo(key);
  }

  @Test
  void reportsAlikeInStatusAttemptAndInstantButNotInBytesAreBothKept() {
    TaskKey key = new TaskKey("alike", "1");
    ReportEnvelope first = report(key, ReportStatus.PROGRESS);
    ReportEnvelope second =
        new ReportEnvelope(
            first.version(),
            key,
            ReportStatus.PROGRESS,
            first.attempt(),
            first.marshallerId(),
            "other".getBytes(UTF_8),
            null,
            null,
            first.at(),
            first.expiresAt());

    assertThat(log.append(first, EnvelopeCodec.encode(first))).isTrue();
    assertThat(log.append(second, EnvelopeCodec.encode(second))).isTrue();
    assertThat(log.append(second, EnvelopeCodec.encode(second))).isFalse();
  }

  @Test
  void pinnedCallIsNeitherEvictedNorPurgedUntilPolledOrThePinLapses() {
    ReportLog small = new ReportLog(time, events, 1);
    TaskKey pinned = new TaskKey("pin", "held");
    ReportEnvelope success = report(pinned, ReportStatus.SUCCESS);
    ReportEnvelope shortLived =
        new ReportEnvelope(
            success.version(),
            pinned,
            ReportStatus.SUCCESS,
            success.attempt(),
            success.marshallerId(),
            success.value(),
            null,
            null,
            success.at(),
            success.at().plusSeconds(1));
    appendTo(small, shortLived);

    assertThat(small.pin(pinned)).as("the pin of a call kept").isTrue();
    appendTo(small, report(new TaskKey("pin", "later"), ReportStatus.SUCCESS)); // past the cap
    time.advance(ReportLog.PURGE_INTERVAL); // the purge runs past its expiry, before the pin's

    assertThat(small.holds(pinned)).as("a pinned call past the cap and its expiry").isTrue();
    List<byte[]> replayed = new ArrayList<>();
    small.poll(pinned, replayed::add).cancel();
    assertThat(replayed).as("the pinned call's reports, replayed").hasSize(1);
    assertThat(small.pin(new TaskKey("pin", "never"))).as("the pin of an unknown call").isFalse();
    small.close();
  }

  @Test
  void callsDoneWithoutAClaimAreDroppedBeyondTheRecentOnesAndTheirLateCopiesIgnored() {
    List<TaskKey> keys = new ArrayList<>();
    List<ReportEnvelope> finals = new ArrayList<>();
    for (int i = 0; i < ReportLog.RECENTLY_DONE + 10; i++) {
      TaskKey key = new TaskKey("done", Integer.toString(i));
      ReportEnvelope success = report(key, ReportStatus.SUCCESS);
      keys.add(key);
      finals.add(success);
      Subscription poll = log.poll(key, bytes -> {});
      append(success);
      log.done(key);
      poll.cancel();
    }
    TaskKey reserved = new TaskKey("done", "reserved");
    log.reserve(reserved, time.now().plus(EXPIRY));
    append(report(reserved, ReportStatus.SUCCESS));
    log.done(reserved);

    assertThat(log.size()).isEqualTo(ReportLog.RECENTLY_DONE + 1);
    assertThat(log.holds(keys.getFirst())).as("the call done first").isFalse();
    assertThat(log.holds(keys.getLast())).as("the call done last").isTrue();
    assertThat(log.holds(reserved)).as("a call holding a claim").isTrue();
    assertThat(log.append(finals.getFirst(), EnvelopeCodec.encode(finals.getFirst())))
        .as("a late copy of a dropped call's report")
        .isFalse();
    assertThat(log.holds(keys.getFirst())).isFalse();
  }

  private static void appendTo(ReportLog target, ReportEnvelope report) {
    target.append(report, EnvelopeCodec.encode(report));
  }

  private void append(ReportEnvelope report) {
    log.append(report, EnvelopeCodec.encode(report));
  }

  private ReportEnvelope report(TaskKey key, ReportStatus status) {
    Instant at = time.now();
    return new ReportEnvelope(
        EnvelopeCodec.VERSION,
        key,
        status,
        1,
        Marshallers.JSON,
        status == ReportStatus.SUCCESS ? "1".getBytes(UTF_8) : null,
        null,
        null,
        at,
        at.plus(EXPIRY));
  }
}
