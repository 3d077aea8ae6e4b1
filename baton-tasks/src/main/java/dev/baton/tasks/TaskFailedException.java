package dev.baton.tasks;

/**
 * A call that ended in {@link ReportStatus#FAIL}, surfaced as an exception by {@link
 * Result#await()} and by typed stubs. {@link #error()} carries the code and message the worker (or
 * the caller's own runtime, for {@link ErrorCode#TIMEOUT} and {@link ErrorCode#SHUTDOWN}) gave.
 */
public final class TaskFailedException extends TasksException {

  private final TaskKey key;
  private final TaskError error;

  public TaskFailedException(TaskKey key, TaskError error) {
    super(key + " failed: " + error);
    this.key = key;
    this.error = error;
  }

  /** The call that failed. */
  public TaskKey key() {
    return key;
  }

  /** Why it failed. */
  public TaskError error() {
    return error;
  }

  /** Shorthand for {@code error().code()}. */
  public ErrorCode code() {
    return error.code();
  }
}
