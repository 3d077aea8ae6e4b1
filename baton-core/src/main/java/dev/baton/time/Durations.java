package dev.baton.time;

import java.time.Duration;

/** Arithmetic on delays that neither overflows nor goes backwards, shared by the time sources. */
final class Durations {
  private Durations() {}

  /**
   * Returns {@code nowNanos + delay} in nanoseconds, treating a negative delay as zero and capping
   * at {@link Long#MAX_VALUE} (a delay of centuries means "never", not "long ago").
   */
  static long deadlineNanos(long nowNanos, Duration delay) {
    if (delay.isNegative()) {
      return nowNanos;
    }
    long delayNanos;
    try {
      delayNanos = delay.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
    long deadline = nowNanos + delayNanos;
    return deadline < nowNanos ? Long.MAX_VALUE : deadline;
  }
}
