package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber's view of a call's reports, honouring its demand.
 *
 * <p>Concurrency: the owning {@link CallResult} enqueues reports under its own lock (so every
 * subscriber sees one order) and calls {@link #drain()} after releasing it; demand arrives from the
 * subscriber's thread. Both go through {@code this}'s lock into a small queue, and whichever thread
 * finds work drains it. A drain in progress ({@code draining}) makes other threads leave their work
 * to it, so the subscriber is never called concurrently or reentrantly, as {@link Flow} requires
 * (rule 1.3), and never under the call's lock. A bad {@code request(n)} is signalled from the drain
 * too (rule 3.9). A subscriber that throws is cancelled and logged (rule 2.13). The queue is
 * bounded by the call's report count (a handful).
 */
final class ReportStream implements Flow.Subscription {
  private static final Logger log = LoggerFactory.getLogger(ReportStream.class);

  private final Flow.Subscriber<? super Report> subscriber;
  private final Consumer<ReportStream> onCancel;

  @GuardedBy("this")
  private final ArrayDeque<Report> queue = new ArrayDeque<>(4);

  @GuardedBy("this")
  private long demand;

  @GuardedBy("this")
  private boolean started;

  @GuardedBy("this")
  private boolean draining;

  @GuardedBy("this")
  private boolean finished;

  @GuardedBy("this")
  private @Nullable IllegalArgumentException badRequest;

  ReportStream(Flow.Subscriber<? super Report> subscriber, Consumer<ReportStream> onCancel) {
    this.subscriber = requireNonNull(subscriber, "subscriber");
    this.onCancel = requireNonNull(onCancel, "onCancel");
  }

  /**
   * Adds a report to deliver (the final one ends the stream after it); called under the call's
   * lock.
   */
  synchronized void enqueue(Report report) {
    if (!finished) {
      queue.add(report);
    }
  }

  /** Hands the subscription to the subscriber, then delivers what demand allows. */
  void start() {
    try {
      subscriber.onSubscribe(this);
    } catch (RuntimeException | Error e) {
      cutOff(e);
      return;
    }
    synchronized (this) {
      started = true;
    }
    drain();
  }

  @Override
  public void request(long n) {
    synchronized (this) {
      if (finished) {
        return;
      }
      if (n <= 0) {
        badRequest =
            new IllegalArgumentException("request(n) needs a positive n (Flow rule 3.9), got " + n);
      } else {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
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

  /** Delivers queued reports while there is demand; one thread at a time. */
  void drain() {
    synchronized (this) {
      if (draining || !started) {
        return;
      }
      draining = true;
    }
    while (true) {
      Report next;
      IllegalArgumentException error;
      boolean complete;
      synchronized (this) {
        error = badRequest;
        next = null;
        complete = false;
        if (finished) {
          draining = false;
          return;
        }
        if (error != null) {
          finished = true;
          queue.clear();
        } else if (!queue.isEmpty() && demand > 0) {
          next = queue.poll();
          demand--;
          if (requireNonNull(next).isDone()) {
            finished = true; // the last report; completion follows it
            complete = true;
          }
        } else {
          draining = false;
          return;
        }
      }
      try {
        if (error != null) {
          onCancel.accept(this);
          subscriber.onError(error);
          return;
        }
        subscriber.onNext(requireNonNull(next));
        if (complete) {
          onCancel.accept(this);
          subscriber.onComplete();
          return;
        }
      } catch (RuntimeException | Error e) {
        cutOff(e);
        return;
      }
    }
  }

  private void cutOff(Throwable failure) {
    synchronized (this) {
      finished = true;
      queue.clear();
    }
    onCancel.accept(this);
    log.warn("a report subscriber threw and was cancelled (Flow rule 2.13)", failure);
  }
}
