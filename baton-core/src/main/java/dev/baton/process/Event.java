package dev.baton.process;

import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a process since its last step: a {@link Completion} of one of its
 * yields, or a {@link Message}.
 */
public sealed interface Event permits Event.Completion, Message {

  /**
   * The outcome of a command the process yielded.
   *
   * @param tag the tag the command was yielded under
   * @param result the command's result when {@code error} is null
   * @param error why the command failed (a handler's error, {@code UnknownCommandException}, {@link
   *     YieldTimeoutException}), or null on success
   */
  record Completion(long tag, @Nullable Object result, @Nullable Throwable error) implements Event {

    /** Returns whether the command succeeded. */
    public boolean succeeded() {
      return error == null;
    }
  }
}
