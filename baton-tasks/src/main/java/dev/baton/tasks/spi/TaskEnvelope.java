package dev.baton.tasks.spi;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A task on the wire: what a producer sends and a consumer delivers, encoded by {@link
 * EnvelopeCodec} in one versioned format that every adapter shares.
 *
 * <p>The options travel whole (the worker needs the timeout, the retry policy, monitor-progress);
 * their eta is resolved (a countdown becomes an eta when the call is made) and their queue is the
 * resolved {@link #queue()}; they carry no traceparent (the trace is {@link #traceparent()}).
 *
 * @param version the format version ({@link EnvelopeCodec#VERSION} when created here)
 * @param key the call
 * @param queue where it is routed: the options' queue, else the task name
 * @param marshallerId the marshaller of {@link #arguments()}
 * @param reportMarshallerId the marshaller the worker encodes the return value with
 * @param arguments the encoded arguments
 * @param attempt this attempt, from 1
 * @param options the call's options
 * @param createdAt when the call was made, on the caller's time source
 * @param traceparent the W3C {@code traceparent} header value of the caller's span ({@link
 *     dev.baton.tasks.TraceParent}); the worker runs the attempt as its child. {@code null} or a
 *     value that does not parse makes the worker start a new trace; never a failure. Adapters may
 *     copy it into their own message headers for broker tools, but this field is what workers read
 * @param replyTo where reports go, for backends that route them per caller; {@code null} for the
 *     backend's default
 */
@SuppressWarnings("ArrayRecordComponent") // the encoded arguments; envelopes are not compared
public record TaskEnvelope(
    int version,
    TaskKey key,
    String queue,
    int marshallerId,
    int reportMarshallerId,
    byte[] arguments,
    int attempt,
    TaskOptions options,
    Instant createdAt,
    @Nullable String traceparent,
    @Nullable String replyTo) {

  public TaskEnvelope {
    requireNonNull(key, "key");
    requireNonNull(queue, "queue");
    requireNonNull(arguments, "arguments");
    requireNonNull(options, "options");
    requireNonNull(createdAt, "createdAt");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
    }
    if (options.countdown() != null) {
      throw new IllegalArgumentException("resolve the countdown to an eta before sending");
    }
    if (options.traceparent() != null) {
      // The codec does not write it there: it would be lost on the wire.
      throw new IllegalArgumentException(
          "put the trace in the envelope's traceparent field, not in its options");
    }
  }

  /** The task name. */
  public String name() {
    return key.name();
  }

  /** The call id. */
  public String id() {
    return key.id();
  }

  /** Attempts in all, from the retry policy. */
  public int maxAttempts() {
    return options.retry().maxAttempts();
  }

  /** The earliest time the task may run, or {@code null} for now. */
  public @Nullable Instant eta() {
    return options.eta();
  }

  /** From 0 to 9; higher runs first within a queue. */
  public int priority() {
    return options.priority();
  }

  /** The caller's idempotency key, if any. */
  public @Nullable String idempotencyKey() {
    return options.idempotencyKey();
  }

  /** When the outcome may be forgotten, and after which an unstarted task fails as expired. */
  public Instant expiresAt() {
    return createdAt.plus(options.resultExpiry());
  }

  /** The next attempt of this task, to run no sooner than {@code eta}. */
  public TaskEnvelope nextAttempt(Instant eta) {
    return new TaskEnvelope(
        version,
        key,
        queue,
        marshallerId,
        reportMarshallerId,
        arguments,
        attempt + 1,
        options.toBuilder().eta(eta).build(),
        createdAt,
        traceparent,
        replyTo);
  }
}
