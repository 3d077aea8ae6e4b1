package dev.baton.time;

import dev.baton.boot.Key;
import java.time.Duration;
import java.time.Instant;

/**
 * Where Baton reads the time and schedules work after a delay.
 *
 * <p>Every component that waits (yield deadlines, timers, leases, retries) takes a {@code
 * TimeSource} instead of reading the system clock, so that tests drive time with {@link
 * ManualTimeSource} and never sleep. Implementations are thread-safe.
 */
public interface TimeSource {

  /** The key under which a node shares its time source. */
  Key<TimeSource> KEY = Key.of("time", TimeSource.class);

  /** Monotonic nanoseconds, for measuring durations; unrelated to wall-clock time. */
  long nanoTime();

  /** The current wall-clock instant, for timestamps people read. */
  Instant now();

  /**
   * Runs {@code task} once, after {@code delay} has passed; a zero or negative delay runs it as
   * soon as possible.
   *
   * <p>The task runs on the time source's own thread, so it must be short and must not block: hand
   * longer work to an executor. An exception the task throws is logged and does not affect other
   * tasks.
   *
   * @throws IllegalStateException if the time source has been closed
   */
  Scheduled schedule(Duration delay, Runnable task);
}
