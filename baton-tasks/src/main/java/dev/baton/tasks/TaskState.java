package dev.baton.tasks;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of one call, as its caller sees it. {@link #next()} is the transition table: the
 * runtime refuses (and records) any other move, and a test exercises every listed one.
 *
 * <pre>
 * PENDING -> SENT | FAILED | REVOKED                (queued, or refused before the broker took it)
 * SENT -> RECEIVED | RETRYING | SUCCEEDED | FAILED | REVOKED | EXPIRED
 * RECEIVED -> RETRYING | SUCCEEDED | FAILED | DEAD | REVOKED
 * RETRYING -> RECEIVED | SUCCEEDED | FAILED | DEAD | REVOKED | EXPIRED
 * </pre>
 *
 * <p>SENT may go straight to an outcome because reports other than the final one are optional
 * (without monitor-progress a caller hears only the outcome). DEAD follows a failed attempt that
 * was retried, so it is reached only from RECEIVED or RETRYING.
 */
public enum TaskState {
  /** Created by the caller, not yet accepted by the broker (or the local queue). */
  PENDING,
  /** Accepted by the broker; waiting for a worker. */
  SENT,
  /** A worker received it and is running it. */
  RECEIVED,
  /** An attempt failed; the next waits for its backoff. */
  RETRYING,
  /** Returned a value. */
  SUCCEEDED,
  /** Failed for good (the report's {@link ErrorCode} says why). */
  FAILED,
  /** Failed its last attempt and was moved to the dead-letter queue. */
  DEAD,
  /** Cancelled by its caller before it ran. */
  REVOKED,
  /** Its expiry passed before a worker started it. */
  EXPIRED;

  /** The states this one may move to; empty for the final states. */
  public Set<TaskState> next() {
    return switch (this) {
      case PENDING -> EnumSet.of(SENT, FAILED, REVOKED);
      case SENT -> EnumSet.of(RECEIVED, RETRYING, SUCCEEDED, FAILED, REVOKED, EXPIRED);
      case RECEIVED -> EnumSet.of(RETRYING, SUCCEEDED, FAILED, DEAD, REVOKED);
      case RETRYING -> EnumSet.of(RECEIVED, SUCCEEDED, FAILED, DEAD, REVOKED, EXPIRED);
      case SUCCEEDED, FAILED, DEAD, REVOKED, EXPIRED -> EnumSet.noneOf(TaskState.class);
    };
  }

  /** Whether the call has ended. */
  public boolean isFinal() {
    return next().isEmpty();
  }
}
