package dev.baton.dispatch;

/** A callback registered with a {@link CancellationSignal}, which can be removed again. */
@FunctionalInterface
public interface Registration {

  /**
   * Removes the callback, so it will not run; does nothing if it has already run or been removed.
   */
  void remove();
}
