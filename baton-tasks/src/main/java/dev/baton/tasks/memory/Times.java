package dev.baton.tasks.memory;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;

/** Instant arithmetic that saturates instead of throwing, for deadlines of any length. */
final class Times {
  private Times() {}

  /** {@code instant + duration}, or {@link Instant#MAX} / {@link Instant#MIN} past the range. */
  static Instant plus(Instant instant, Duration duration) {
    try {
      return instant.plus(duration);
    } catch (DateTimeException | ArithmeticException outOfRange) {
      return duration.isNegative() ? Instant.MIN : Instant.MAX;
    }
  }
}
