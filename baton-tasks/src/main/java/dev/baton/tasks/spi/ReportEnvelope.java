package dev.baton.tasks.spi;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.Progress;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A report on the wire: what a worker publishes and a caller polls, encoded by {@link
 * EnvelopeCodec}.
 *
 * @param version the format version
 * @param key the call
 * @param status what the report says
 * @param attempt the attempt it belongs to
 * @param marshallerId the marshaller of {@link #value()}
 * @param value the encoded return value ({@link ReportStatus#SUCCESS} only)
 * @param error why it failed ({@link ReportStatus#FAIL} and {@link ReportStatus#RETRY} only)
 * @param progress what a running task reported, if this is such a report
 * @param at when the worker made it
 * @param expiresAt when the backend may forget it
 */
@SuppressWarnings("ArrayRecordComponent") // the encoded return value; envelopes are not compared
public record ReportEnvelope(
    int version,
    TaskKey key,
    ReportStatus status,
    int attempt,
    int marshallerId,
    byte @Nullable [] value,
    @Nullable TaskError error,
    @Nullable Progress progress,
    Instant at,
    Instant expiresAt) {

  /**
   * Checks the fields. Written out rather than compact: javac records a compact constructor's
   * {@code byte @Nullable []} as a field annotation only, and NullAway in other modules then reads
   * {@code value} as non-null.
   */
  public ReportEnvelope(
      int version,
      TaskKey key,
      ReportStatus status,
      int attempt,
      int marshallerId,
      byte @Nullable [] value,
      @Nullable TaskError error,
      @Nullable Progress progress,
      Instant at,
      Instant expiresAt) {
    this.version = version;
    this.key = requireNonNull(key, "key");
    this.status = requireNonNull(status, "status");
    this.attempt = attempt;
    this.marshallerId = marshallerId;
    this.value = value;
    this.error = error;
    this.progress = progress;
    this.at = requireNonNull(at, "at");
    this.expiresAt = requireNonNull(expiresAt, "expiresAt");
  }
}
