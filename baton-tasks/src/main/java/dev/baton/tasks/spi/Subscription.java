package dev.baton.tasks.spi;

/** A running consumer or poll, stopped with {@link #cancel()}. */
@FunctionalInterface
public interface Subscription {

  /**
   * Stops delivering. Idempotent. A consumer subscription releases deliveries it buffered but had
   * not handed out; those handed out stay with their holder until settled or their lease ends.
   */
  void cancel();
}
