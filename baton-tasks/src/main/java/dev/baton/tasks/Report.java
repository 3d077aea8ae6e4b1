package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One report of a call. See {@link ReportStatus} for the order in which they arrive.
 *
 * @param key the call
 * @param status what happened
 * @param attempt the attempt this report belongs to, from 1
 * @param value the return value ({@link ReportStatus#SUCCESS} only; {@code null} for a void task)
 * @param error why it failed ({@link ReportStatus#FAIL} and {@link ReportStatus#RETRY} only)
 * @param progress what a running task reported ({@link ReportStatus#PROGRESS} from inside the task
 *     only; {@code null} for the worker's own "about to run" report)
 * @param at when the report was made, on the reporting app's time source
 */
public record Report(
    TaskKey key,
    ReportStatus status,
    int attempt,
    @Nullable Object value,
    @Nullable TaskError error,
    @Nullable Progress progress,
    Instant at) {

  public Report {
    requireNonNull(key, "key");
    requireNonNull(status, "status");
    requireNonNull(at, "at");
  }

  /** Whether this is the call's last report. */
  public boolean isDone() {
    return status.isFinal();
  }

  /** Whether the call succeeded. */
  public boolean isSuccess() {
    return status == ReportStatus.SUCCESS;
  }

  /** Whether the call failed for good. */
  public boolean isFailure() {
    return status == ReportStatus.FAIL;
  }
}
