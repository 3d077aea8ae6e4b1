package dev.baton.time;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TimeSource} whose time moves only when a test {@linkplain #advance(Duration) advances}
 * it.
 *
 * <p>Scheduled tasks run on the thread that calls {@link #advance}, in the order they fall due
 * (ties in the order they were scheduled), and while each runs the time reads as its due time, so a
 * task that schedules another within the advanced window sees it run in the same call. Any thread
 * may schedule and cancel; tasks run outside the lock, so they may call back into this source.
 */
public final class ManualTimeSource implements TimeSource {
  /** The wall-clock reading at time zero unless a test chooses another. */
  public static final Instant DEFAULT_EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  private final Instant epoch;

  @GuardedBy("this")
  private long nanos;

  @GuardedBy("this")
  private long nextSequence;

  @GuardedBy("this")
  private final PriorityQueue<Entry> due = new PriorityQueue<>();

  /** Creates a source whose wall clock reads {@link #DEFAULT_EPOCH} at time zero. */
  public ManualTimeSource() {
    this(DEFAULT_EPOCH);
  }

  /** Creates a source whose wall clock reads {@code epoch} at time zero. */
  public ManualTimeSource(Instant epoch) {
    this.epoch = requireNonNull(epoch, "epoch");
  }

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized Instant now() {
    return epoch.plusNanos(nanos);
  }

  @Override
  public synchronized Scheduled schedule(Duration delay, Runnable task) {
    requireNonNull(delay, "delay");
    requireNonNull(task, "task");
    Entry entry = new Entry(Durations.deadlineNanos(nanos, delay), nextSequence++, task);
    due.add(entry);
    return entry;
  }

  /**
   * Moves time forward by {@code duration}, running every task that falls due on the way, each at
   * its due time.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public void advance(Duration duration) {
    requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time only moves forward; cannot advance by " + duration);
    }
    long target;
    synchronized (this) {
      target = Durations.deadlineNanos(nanos, duration);
    }
    RuntimeException failure = null;
    while (true) {
      Entry next;
      synchronized (this) {
        @Nullable Entry head = due.peek();
        if (head == null || head.dueNanos > target) {
          nanos = Math.max(nanos, target);
          break;
        }
        next = due.remove();
        nanos = Math.max(nanos, next.dueNanos);
      }
      try {
        next.task.run();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The number of scheduled tasks that have neither run nor been cancelled. */
  public synchronized int pendingTasks() {
    return due.size();
  }

  private synchronized boolean remove(Entry entry) {
    return due.remove(entry);
  }

  /** A scheduled task; ordered by due time, then by the order it was scheduled. */
  private final class Entry implements Scheduled, Comparable<Entry> {
    final long dueNanos;
    final long sequence;
    final Runnable task;

    Entry(long dueNanos, long sequence, Runnable task) {
      this.dueNanos = dueNanos;
      this.sequence = sequence;
      this.task = task;
    }

    @Override
    public boolean cancel() {
      return remove(this);
    }

    @Override
    public int compareTo(Entry other) {
      int byTime = Long.compare(dueNanos, other.dueNanos);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }
}
