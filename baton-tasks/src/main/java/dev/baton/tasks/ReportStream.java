package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * One subscriber's view of a call's reports, honouring its demand.
 *
 * <p>Concurrency: reports are offered by the owning {@link CallResult} under its lock, and demand
 * arrives from the subscriber's thread; both go through {@code this}'s lock into a small queue, and
 * whichever thread finds work drains it. A drain in progress ({@code draining}) makes other threads
 * leave their work to it, so the subscriber is never called concurrently or reentrantly, as {@link
 * Flow} requires. The queue is bounded by the call's report count (a handful).
 */
final class ReportStream implements Flow.Subscription {

  private final Flow.Subscriber<? super Report> subscriber;
  private final Consumer<ReportStream> onCancel;

  @GuardedBy("this")
  private final ArrayDeque<Report> queue = new ArrayDeque<>(4);

  @GuardedBy("this")
  private long demand;

  @GuardedBy("this")
  private boolean draining;

  @GuardedBy("this")
  private boolean completeAfterQueue;

  @GuardedBy("this")
  private boolean finished;

  ReportStream(Flow.Subscriber<? super Report> subscriber, Consumer<ReportStream> onCancel) {
    this.subscriber = requireNonNull(subscriber, "subscriber");
    this.onCancel = requireNonNull(onCancel, "onCancel");
  }

  /** Subscribes, replaying {@code replay}; {@code done} if the call already has its outcome. */
  void start(List<Report> replay, boolean done) {
    synchronized (this) {
      queue.addAll(replay);
      completeAfterQueue = done;
    }
    subscriber.onSubscribe(this);
    drain();
  }

  /** A new report of the call; the final one ends the stream after it is delivered. */
  void offer(Report report) {
    synchronized (this) {
      if (finished) {
        return;
      }
      queue.add(report);
      if (report.isDone()) {
        completeAfterQueue = true;
      }
    }
    drain();
  }

  @Override
  public void request(long n) {
    if (n <= 0) {
      synchronized (this) {
        if (finished) {
          return;
        }
        finished = true;
      }
      onCancel.accept(this);
      subscriber.onError(
          new IllegalArgumentException("request(n) needs a positive n (Flow rule 3.9), got " + n));
      return;
    }
    synchronized (this) {
      demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
    }
    drain();
  }

  @Override
  public void cancel() {
    synchronized (this) {
      finished = true;
      queue.clear();
    }
    onCancel.accept(this);
  }

  private void drain() {
    synchronized (this) {
      if (draining) {
        return;
      }
      draining = true;
    }
    while (true) {
      Report next;
      boolean complete;
      synchronized (this) {
        if (finished) {
          draining = false;
          return;
        }
        if (!queue.isEmpty() && demand > 0) {
          next = queue.poll();
          demand--;
          complete = false;
        } else if (queue.isEmpty() && completeAfterQueue) {
          next = null;
          complete = true;
          finished = true;
        } else {
          draining = false;
          return;
        }
      }
      if (complete) {
        onCancel.accept(this);
        subscriber.onComplete();
        synchronized (this) {
          draining = false;
        }
        return;
      }
      subscriber.onNext(requireNonNull(next));
    }
  }
}
