package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How one call runs and reports. Immutable; build with {@link #builder()} or derive with {@link
 * #toBuilder()}. Per-task defaults are set with {@link TaskApp#setOption}; a call that passes its
 * own options uses those instead.
 *
 * @param ignoreReport no reports at all: the call's {@link Result} completes (with {@code null})
 *     once the task was accepted, and nothing is stored for it
 * @param monitorProgress also report {@link ReportStatus#SENT}, {@link ReportStatus#PROGRESS} and
 *     {@link ReportStatus#RETRY}
 * @param timeout how long one attempt may run, and how long the caller waits for an outcome after
 *     its last report; {@code null} for no limit. Passing it fails the caller with {@link
 *     ErrorCode#TIMEOUT} and interrupts the running attempt, which counts as a failed attempt
 * @param retry attempts and backoff
 * @param eta the earliest time the task may run; {@code null} for now (or the countdown)
 * @param countdown how long after the call is made the task may run; resolved to an eta on the
 *     calling app's time source when the call is made, so one options object serves many calls. At
 *     most one of {@code eta} and {@code countdown} is set
 * @param priority from 0 (lowest) to 9; within one queue a higher priority runs first
 * @param queue the queue to route to; {@code null} routes to the task's own queue
 * @param idempotencyKey a key, scoped to the task name, that makes a second call with the same key
 *     receive the first call's outcome without running the task again; {@code null} for none
 * @param resultExpiry how long the outcome (and the idempotency key) is kept, and how long the task
 *     may wait to start before it fails with {@link ErrorCode#EXPIRED}
 * @param traceparent the trace the call joins, as its parent span; {@code null} (the default) to
 *     continue the trace of the task making the call ({@link TaskContext#trace()}), or to start a
 *     new trace outside a task. It travels beside the options (in the task envelope's own {@code
 *     traceparent} field), not with them: the task's {@link TaskContext#options()} hold none in
 *     either mode, and it sees its attempt's trace through {@link TaskContext#trace()}
 */
public record TaskOptions(
    boolean ignoreReport,
    boolean monitorProgress,
    @Nullable Duration timeout,
    RetryPolicy retry,
    @Nullable Instant eta,
    @Nullable Duration countdown,
    int priority,
    @Nullable String queue,
    @Nullable String idempotencyKey,
    Duration resultExpiry,
    @Nullable TraceParent traceparent) {

  /** The lowest priority. */
  public static final int MIN_PRIORITY = 0;

  /** The highest priority. */
  public static final int MAX_PRIORITY = 9;

  /** How long outcomes are kept unless a call says otherwise: one day, as Celery does. */
  public static final Duration DEFAULT_RESULT_EXPIRY = Duration.ofDays(1);

  /** Reports of the outcome only, no timeout, one attempt, priority 0, the task's own queue. */
  public static final TaskOptions DEFAULTS =
      new TaskOptions(
          false,
          false,
          null,
          RetryPolicy.NONE,
          null,
          null,
          0,
          null,
          null,
          DEFAULT_RESULT_EXPIRY,
          null);

  public TaskOptions {
    requireNonNull(retry, "retry");
    requireNonNull(resultExpiry, "resultExpiry");
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (eta != null && countdown != null) {
      throw new IllegalArgumentException("set at most one of eta and countdown");
    }
    if (countdown != null && countdown.isNegative()) {
      throw new IllegalArgumentException("countdown must not be negative, got " + countdown);
    }
    if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
      throw new IllegalArgumentException(
          "priority must be within " + MIN_PRIORITY + ".." + MAX_PRIORITY + ", got " + priority);
    }
    if (queue != null && queue.isBlank()) {
      throw new IllegalArgumentException("queue must not be blank; pass null for the default");
    }
    if (idempotencyKey != null && idempotencyKey.isBlank()) {
      throw new IllegalArgumentException("idempotencyKey must not be blank; pass null for none");
    }
    if (resultExpiry.isNegative() || resultExpiry.isZero()) {
      throw new IllegalArgumentException("resultExpiry must be positive, got " + resultExpiry);
    }
  }

  /** A builder starting from {@link #DEFAULTS}. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds {@link TaskOptions}; every setter validates when {@link #build()} runs. */
  public static final class Builder {
    private boolean ignoreReport;
    private boolean monitorProgress;
    private @Nullable Duration timeout;
    private RetryPolicy retry;
    private @Nullable Instant eta;
    private @Nullable Duration countdown;
    private int priority;
    private @Nullable String queue;
    private @Nullable String idempotencyKey;
    private Duration resultExpiry;
    private @Nullable TraceParent traceparent;

    private Builder(TaskOptions from) {
      this.ignoreReport = from.ignoreReport;
      this.monitorProgress = from.monitorProgress;
      this.timeout = from.timeout;
      this.retry = from.retry;
      this.eta = from.eta;
      this.countdown = from.countdown;
      this.priority = from.priority;
      this.queue = from.queue;
      this.idempotencyKey = from.idempotencyKey;
      this.resultExpiry = from.resultExpiry;
      this.traceparent = from.traceparent;
    }

    public Builder ignoreReport(boolean ignoreReport) {
      this.ignoreReport = ignoreReport;
      return this;
    }

    public Builder monitorProgress(boolean monitorProgress) {
      this.monitorProgress = monitorProgress;
      return this;
    }

    public Builder timeout(@Nullable Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder retry(RetryPolicy retry) {
      this.retry = requireNonNull(retry, "retry");
      return this;
    }

    /** Run no sooner than {@code eta}; replaces any countdown. */
    public Builder eta(@Nullable Instant eta) {
      this.eta = eta;
      this.countdown = null;
      return this;
    }

    /** Run no sooner than {@code countdown} after the call is made; replaces any eta. */
    public Builder countdown(@Nullable Duration countdown) {
      this.countdown = countdown;
      this.eta = null;
      return this;
    }

    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    public Builder queue(@Nullable String queue) {
      this.queue = queue;
      return this;
    }

    public Builder idempotencyKey(@Nullable String idempotencyKey) {
      this.idempotencyKey = idempotencyKey;
      return this;
    }

    public Builder resultExpiry(Duration resultExpiry) {
      this.resultExpiry = requireNonNull(resultExpiry, "resultExpiry");
      return this;
    }

    /**
     * The trace the call joins (its parent span), for a call that continues a trace from outside
     * Baton (an HTTP request's {@code traceparent} header, say: {@link TraceParent#parse}); {@code
     * null} for the default (the calling task's trace, else a new one).
     */
    public Builder traceparent(@Nullable TraceParent traceparent) {
      this.traceparent = traceparent;
      return this;
    }

    public TaskOptions build() {
      return new TaskOptions(
          ignoreReport,
          monitorProgress,
          timeout,
          retry,
          eta,
          countdown,
          priority,
          queue,
          idempotencyKey,
          resultExpiry,
          traceparent);
    }
  }
}
