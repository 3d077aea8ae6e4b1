package dev.baton.dashboard;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One recent call as the tasks page lists it.
 *
 * @param name the task's name
 * @param id the call's id
 * @param state the latest state seen ({@link dev.baton.tasks.TaskState} name)
 * @param attempt the latest attempt seen, from 1 (0 if none ran here)
 * @param errorCode the {@link dev.baton.tasks.ErrorCode} name when it failed, else {@code null}
 * @param error the error's message when it failed, else {@code null}
 * @param traceId the W3C trace id the call carries
 * @param at when the latest state was seen
 * @param millis the call's latency or the attempt's run time, in milliseconds; -1 while running
 */
public record TaskRow(
    String name,
    String id,
    String state,
    int attempt,
    @Nullable String errorCode,
    @Nullable String error,
    String traceId,
    Instant at,
    long millis) {

  public TaskRow {
    requireNonNull(name, "name");
    requireNonNull(id, "id");
    requireNonNull(state, "state");
    requireNonNull(traceId, "traceId");
    requireNonNull(at, "at");
  }
}
