package dev.baton.dispatch;

/**
 * A request a process yields for a handler to carry out: a value with a {@link CommandId}.
 *
 * <p>The type parameter is the type of the result the handler completes the command with, so that
 * typed callers (a coroutine's {@code call}) return it without a cast; the registry itself routes
 * by id alone.
 *
 * <p>Commands are usually records. A command on a hot path may instead be a small mutable class
 * drawn from a {@link CommandPool}: it overrides {@link #release()} to return itself to the pool.
 *
 * @param <R> the type of the command's result
 */
public interface Command<R> {

  /** The id the registry routes this command by. */
  CommandId commandId();

  /**
   * Called exactly once, by whoever supplied the receiver (the process runtime, for yields), after
   * the completion has been consumed or dropped; a pooled command returns itself to its pool here.
   * Handlers, and interceptors that wrap the receiver, never call it and never touch the command
   * after the completion has been delivered. Does nothing by default.
   */
  default void release() {}
}
