package dev.baton.boot;

/**
 * A shared service that accepts changes while components load and becomes read-only once the node
 * starts.
 *
 * <p>{@link Boot#start()} calls {@link #freeze()} on every service in the context that implements
 * this interface, before it seals the context and before any component starts, so that services on
 * the hot path (the command registry) can drop their locks.
 */
@FunctionalInterface
public interface Freezable {

  /**
   * Makes this service read-only. Called once, by the thread that starts the node; calling it again
   * has no effect.
   */
  void freeze();
}
