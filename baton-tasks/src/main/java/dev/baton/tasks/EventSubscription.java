package dev.baton.tasks;

/**
 * A listener registered with {@link TaskApp#listen}. Events reach the listener on its own thread
 * through a bounded buffer, so a slow listener never blocks a worker: when the buffer is full the
 * newest event is dropped and counted here (and never silently).
 */
public interface EventSubscription {

  /** The id to pass to {@link TaskApp#stopListen}. */
  int id();

  /** Events this listener missed because its buffer was full. */
  long dropped();

  /** Events delivered to the listener so far. */
  long delivered();
}
