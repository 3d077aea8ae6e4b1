package dev.baton.dispatch;

import org.jspecify.annotations.Nullable;

/**
 * Where a handler delivers the outcome of a command: the receiving end of a correlation tag.
 *
 * <p>A handler completes each tag it was given exactly once, from any thread, with either a result
 * or an error. Implementations are thread-safe, must not block the handler's thread and must not
 * throw. A receiver ignores a second completion of a tag. What happens to a completion nobody waits
 * for any more (the process ended) is the receiver's business: the process runtime drops it, and
 * releases the command (see {@link Command#release()}).
 */
@FunctionalInterface
public interface ResultReceiver {

  /**
   * Delivers the outcome of the command yielded with {@code tag}.
   *
   * @param tag the correlation tag the handler was given
   * @param result the command's result when {@code error} is null; may be null for commands with no
   *     result
   * @param error the failure, or null on success; when non-null, {@code result} is ignored
   */
  void completeYield(long tag, @Nullable Object result, @Nullable Throwable error);
}
