package dev.baton.time;

/** A task scheduled on a {@link TimeSource}, which can be cancelled until it runs. */
@FunctionalInterface
public interface Scheduled {

  /**
   * Prevents the task from running if it has not started yet.
   *
   * @return {@code true} if this call prevented the run; {@code false} if the task has already run,
   *     is running, or was cancelled before
   */
  boolean cancel();
}
