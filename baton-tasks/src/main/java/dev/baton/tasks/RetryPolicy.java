package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How many times a failing call runs, and how long it waits between attempts: exponential backoff
 * ({@code initialBackoff * multiplier^(attempt-1)}, capped at {@code maxBackoff}) with a random
 * jitter of up to {@code jitter} of the delay either side.
 *
 * <p>Attempts that fail with {@link ErrorCode#TASK_FAILED}, {@link ErrorCode#PANIC} or {@link
 * ErrorCode#TIMEOUT} are retried; bad arguments, unknown tasks, revocation and decode errors are
 * not, since another attempt would fail the same way.
 *
 * @param maxAttempts attempts in all, at least 1 (1 means no retry)
 * @param initialBackoff the wait before the second attempt
 * @param multiplier how much each wait grows, at least 1
 * @param maxBackoff the longest wait
 * @param jitter the random share of each wait, within 0..1
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    double multiplier,
    Duration maxBackoff,
    double jitter) {

  /** One attempt, no retry. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, 1.0, Duration.ZERO, 0.0);

  public RetryPolicy {
    requireNonNull(initialBackoff, "initialBackoff");
    requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
      throw new IllegalArgumentException("backoffs must not be negative");
    }
    if (!(multiplier >= 1.0)) {
      throw new IllegalArgumentException("multiplier must be at least 1, got " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be within 0..1, got " + jitter);
    }
  }

  /**
   * Up to {@code maxAttempts} attempts, waiting {@code initialBackoff}, then twice as long each
   * time up to a minute, with 20% jitter.
   */
  public static RetryPolicy exponential(int maxAttempts, Duration initialBackoff) {
    return new RetryPolicy(maxAttempts, initialBackoff, 2.0, Duration.ofMinutes(1), 0.2);
  }

  /** Whether an attempt that failed with {@code code} is retried under this policy. */
  public boolean retries(int failedAttempt, ErrorCode code) {
    return failedAttempt < maxAttempts
        && (code == ErrorCode.TASK_FAILED || code == ErrorCode.PANIC || code == ErrorCode.TIMEOUT);
  }

  /**
   * The wait after attempt {@code failedAttempt} (from 1) failed, jitter drawn from {@code rng}.
   */
  public Duration backoffAfter(int failedAttempt, RandomGenerator rng) {
    double base = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
    double capped = Math.min(base, (double) maxBackoff.toNanos());
    double spread = capped * jitter;
    double jittered = capped + (spread == 0.0 ? 0.0 : rng.nextDouble(-spread, spread));
    return Duration.ofNanos((long) Math.max(0.0, jittered));
  }
}
