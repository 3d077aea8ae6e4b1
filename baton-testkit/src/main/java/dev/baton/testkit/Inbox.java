package dev.baton.testkit;

import static dev.baton.testkit.Contracts.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.DeliveryHandler;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.TaskEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A delivery handler for the broker suites: records deliveries in arrival order, decoding each, and
 * acks each at once if {@code autoAck}. A delivery that does not decode is recorded as a failure
 * the next wait reports. Tasks whose name does not start with the test's prefix (left on a shared
 * queue by other runs) are acked and ignored.
 */
final class Inbox implements DeliveryHandler {

  /** One delivery and the task it decoded to. */
  record Received(Delivery delivery, TaskEnvelope task) {}

  private final boolean autoAck;
  private final String namePrefix;
  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final List<CompletionStage<Void>> acks = new CopyOnWriteArrayList<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();

  Inbox(boolean autoAck, String namePrefix) {
    this.autoAck = autoAck;
    this.namePrefix = namePrefix;
  }

  @Override
  public void onDelivery(Delivery delivery) {
    TaskEnvelope task;
    try {
      task = EnvelopeCodec.decodeTask(delivery.body());
    } catch (RuntimeException e) {
      failures.add(e);
      return;
    }
    if (!task.name().startsWith(namePrefix)) {
      var _ = delivery.ack();
      return;
    }
    if (autoAck) {
      acks.add(delivery.ack());
    }
    received.add(new Received(delivery, task));
  }

  Received next(Duration bound, String what) throws InterruptedException {
    return take(1, bound, what).get(0);
  }

  List<Received> take(int count, Duration bound, String what) throws InterruptedException {
    List<Received> taken = new ArrayList<>(count);
    long deadline = System.nanoTime() + bound.toNanos();
    while (taken.size() < count) {
      @Nullable Received next = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (next == null) {
        throw new AssertionError(
            "waiting for "
                + what
                + ": "
                + taken.size()
                + " of "
                + count
                + " deliveries arrived within "
                + bound
                + (failures.isEmpty() ? "" : "; undecodable deliveries: " + failures));
      }
      taken.add(next);
    }
    assertThat(failures).as("deliveries that did not decode").isEmpty();
    return taken;
  }

  /** Deliveries that arrived and were not taken. */
  List<Received> extra() {
    List<Received> extra = new ArrayList<>();
    received.drainTo(extra);
    return extra;
  }

  void joinAcks(Duration bound) throws InterruptedException {
    for (CompletionStage<Void> ack : acks) {
      join(ack, bound, "ack");
    }
  }
}
