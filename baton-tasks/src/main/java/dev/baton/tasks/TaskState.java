package dev.baton.tasks;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
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

  /** The states this one may move to; empty for the final states. The set is unmodifiable. */
  public Set<TaskState> next() {
    return java.util.Objects.requireNonNull(Transitions.NEXT.get(this));
  }

  /** Whether the call has ended. */
  public boolean isFinal() {
    return next().isEmpty();
  }

  /** The table, built once: {@link #next()} is read on every report a call takes. */
  private static final class Transitions {
    private static final Map<TaskState, Set<TaskState>> NEXT = new EnumMap<>(TaskState.class);

    static {
      NEXT.put(PENDING, of(SENT, FAILED, REVOKED));
      NEXT.put(SENT, of(RECEIVED, RETRYING, SUCCEEDED, FAILED, REVOKED, EXPIRED));
      NEXT.put(RECEIVED, of(RETRYING, SUCCEEDED, FAILED, DEAD, REVOKED));
      NEXT.put(RETRYING, of(RECEIVED, SUCCEEDED, FAILED, DEAD, REVOKED, EXPIRED));
      for (TaskState state : EnumSet.of(SUCCEEDED, FAILED, DEAD, REVOKED, EXPIRED)) {
        NEXT.put(state, Collections.unmodifiableSet(EnumSet.noneOf(TaskState.class)));
      }
    }

    private static Set<TaskState> of(TaskState first, TaskState... rest) {
      return Collections.unmodifiableSet(EnumSet.of(first, rest));
    }
  }
}
