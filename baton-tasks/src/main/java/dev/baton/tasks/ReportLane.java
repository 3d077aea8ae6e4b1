package dev.baton.tasks;

import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.ReportPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The seed's shared report channel: workers allocated together publish through {@code ceil(count /
 * share)} lanes (one lane when {@code share} is 0), each handing reports to the publisher one at a
 * time in arrival order, so a backend that keeps per-channel state (an AMQP channel, a pipelined
 * connection) sees one writer per lane.
 *
 * <p>Concurrency: a fair lock orders the hand-off; the publisher's stage completes later, off the
 * lock, and the worker waits for it before its next report.
 */
final class ReportLane {

  private final ReentrantLock order = new ReentrantLock(true);

  static List<ReportLane> forWorkers(int count, int share) {
    int lanes = share <= 0 ? 1 : Math.max(1, (count + share - 1) / share);
    List<ReportLane> result = new ArrayList<>(lanes);
    for (int i = 0; i < lanes; i++) {
      result.add(new ReportLane());
    }
    return result;
  }

  CompletionStage<Void> publish(
      ReportPublisher publisher, ReportEnvelope report, @Nullable String replyTo) {
    order.lock();
    try {
      return publisher.publish(report, replyTo);
    } finally {
      order.unlock();
    }
  }
}
