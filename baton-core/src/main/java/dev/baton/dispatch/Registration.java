package dev.baton.dispatch;

/** A callback registered with a {@link CancellationSignal}, which can be removed again. */
@FunctionalInterface
public interface Registration {

  /**
   * Removes the callback if it has not been taken to run yet.
   *
   * @return {@code true} if this call removed it, so it will never run; {@code false} if it has
   *     already run, is running or about to run (cancellation raced this call), or was removed
   *     before
   */
  boolean remove();
}
