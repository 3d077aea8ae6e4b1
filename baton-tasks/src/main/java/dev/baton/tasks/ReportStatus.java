package dev.baton.tasks;

/**
 * What a {@link Report} says. A call's reports arrive in this order: {@link #SENT}, {@link
 * #PROGRESS} (both only with {@link TaskOptions#monitorProgress()}), {@link #RETRY} for each failed
 * attempt that will be retried (also only with monitor-progress), then exactly one of {@link
 * #SUCCESS} or {@link #FAIL}.
 */
public enum ReportStatus {
  /** The broker accepted the task (it is durable there); in local mode, it was queued. */
  SENT,
  /**
   * A worker received the task and is about to run it, or the running task reported its progress
   * ({@link Report#progress()} is then set).
   */
  PROGRESS,
  /** An attempt failed and another will run; {@link Report#error()} says why. */
  RETRY,
  /** The task returned; {@link Report#value()} holds the return value. */
  SUCCESS,
  /** The call failed for good; {@link Report#error()} says why. */
  FAIL;

  /** Whether this is the last report of a call. */
  public boolean isFinal() {
    return this == SUCCESS || this == FAIL;
  }
}
