package dev.baton.tasks.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.DeliveryHandler;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.time.TimeSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Envelopes, a recording handler and a recording adapter context for the memory tests. */
final class TestTasks {
  static final Duration WAIT = Duration.ofSeconds(5);

  private TestTasks() {}

  static TaskEnvelope task(String name, String id) {
    return task(name, id, TaskOptions.DEFAULTS, Instant.EPOCH);
  }

  static TaskEnvelope task(String name, String id, TaskOptions options, Instant createdAt) {
    String queue = options.queue() != null ? options.queue() : name;
    return new TaskEnvelope(
        EnvelopeCodec.VERSION,
        new TaskKey(name, id),
        queue,
        0,
        0,
        ("[\"" + id + "\"]").getBytes(StandardCharsets.UTF_8),
        1,
        options,
        createdAt,
        null,
        null);
  }

  static TaskEnvelope withPriority(String name, String id, int priority) {
    return task(name, id, TaskOptions.builder().priority(priority).build(), Instant.EPOCH);
  }

  static TaskEnvelope withEta(String name, String id, Instant eta) {
    return task(name, id, TaskOptions.builder().eta(eta).build(), Instant.EPOCH);
  }

  static TaskEnvelope decode(Delivery delivery) {
    return EnvelopeCodec.decodeTask(delivery.body());
  }

  static String id(Delivery delivery) {
    return decode(delivery).id();
  }

  static ReportEnvelope report(TaskKey key, ReportStatus status, Instant at, Instant expiresAt) {
    return new ReportEnvelope(
        EnvelopeCodec.VERSION, key, status, 1, 0, null, null, null, at, expiresAt);
  }

  static ReportStatus status(byte[] encodedReport) {
    return EnvelopeCodec.decodeReport(encodedReport).status();
  }

  static void succeeds(CompletionStage<Void> stage) {
    assertThat(stage.toCompletableFuture()).succeedsWithin(WAIT);
  }

  static void failsClosed(CompletionStage<Void> stage, String message) {
    assertThat(stage.toCompletableFuture())
        .failsWithin(WAIT)
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(IllegalStateException.class)
        .withMessage(message);
  }

  /** Records deliveries; tests wait on them with a bounded poll. */
  static final class Inbox implements DeliveryHandler {
    final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

    @Override
    public void onDelivery(Delivery delivery) {
      deliveries.add(delivery);
    }

    Delivery next() throws InterruptedException {
      Delivery delivery = deliveries.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(delivery).as("a delivery within %s", WAIT).isNotNull();
      return delivery;
    }

    /** What has arrived so far; call after the broker's awaitIdle. */
    List<Delivery> drain() {
      List<Delivery> drained = new ArrayList<>();
      deliveries.drainTo(drained);
      return drained;
    }
  }

  record Event(EventLevel level, EventCode code, String message, @Nullable TaskKey key) {}

  /** An app's side of attach: collects the adapter's events. */
  static final class RecordingContext implements AdapterContext {
    final TimeSource time;
    final List<Event> events = new CopyOnWriteArrayList<>();

    RecordingContext(TimeSource time) {
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
      events.add(new Event(level, code, message, key));
    }
  }
}
