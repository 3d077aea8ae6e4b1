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
 * purge, polled and reserved calls kept, duplicates dropped, a throwing sink reported.
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
