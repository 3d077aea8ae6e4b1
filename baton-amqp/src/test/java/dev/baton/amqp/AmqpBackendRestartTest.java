package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.Subscription;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The backend across a graceful restart of a private RabbitMQ node (never the shared one): the
 * caller's durable reply queue, its consumer and an idempotency claim come back, and a report
 * published after the restart reaches the poll that was open before it.
 */
class AmqpBackendRestartTest {

  private static final Duration BOUND = Duration.ofSeconds(60);

  @Test
  void reportsAndClaimsSurviveABrokerRestart() throws Exception {
    try (PrivateRabbitMq rabbit = PrivateRabbitMq.start("backend-restart");
        SystemTimeSource time = new SystemTimeSource();
        AmqpBackend caller = AmqpBackend.connect(rabbit.uri(), time);
        AmqpBackend worker = AmqpBackend.connect(rabbit.uri(), time)) {
      AmqpBackendEventRecorder callerEvents = new AmqpBackendEventRecorder(time, BOUND);
      AmqpBackendEventRecorder workerEvents = new AmqpBackendEventRecorder(time, BOUND);
      caller.attach(callerEvents);
      worker.attach(workerEvents);
      TaskKey key = new TaskKey("restart", "1");
      LinkedBlockingQueue<ReportEnvelope> received = new LinkedBlockingQueue<>();
      Subscription poll =
          caller.poll(key, bytes -> received.add(EnvelopeCodec.decodeReport(bytes)));
      worker
          .publish(report(key, ReportStatus.SENT), caller.replyAddress())
          .toCompletableFuture()
          .get(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(next(received).status()).isEqualTo(ReportStatus.SENT);
      assertThat(caller.claimIdempotencyKey("restart", "key", "id-1", Duration.ofHours(1)))
          .isEqualTo("id-1");

      rabbit.restart();

      assertThat(callerEvents.awaitLevel(EventCode.CONNECTION, EventLevel.WARNING, "the loss"))
          .isNotNull();
      callerEvents.awaitLevel(EventCode.CONNECTION, EventLevel.INFO, "the caller's recovery");
      workerEvents.awaitLevel(EventCode.CONNECTION, EventLevel.INFO, "the worker's recovery");
      worker
          .publish(report(key, ReportStatus.SUCCESS), caller.replyAddress())
          .toCompletableFuture()
          .get(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(next(received).status()).isEqualTo(ReportStatus.SUCCESS);
      assertThat(caller.claimIdempotencyKey("restart", "key", "id-2", Duration.ofHours(1)))
          .as("the claim made before the restart")
          .isEqualTo("id-1");
      poll.cancel();
    }
  }

  private static ReportEnvelope next(LinkedBlockingQueue<ReportEnvelope> received)
      throws InterruptedException {
    ReportEnvelope next = received.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
    if (next == null) {
      throw new AssertionError("no report within " + BOUND);
    }
    return next;
  }

  private static ReportEnvelope report(TaskKey key, ReportStatus status) {
    Instant at = Instant.now();
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
        at.plus(Duration.ofHours(1)));
  }
}
