package dev.baton;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception Baton's core throws or delivers.
 *
 * <p>Baton reports errors as typed subclasses (for example {@code UnknownCommandException} or
 * {@code DependencyCycleException}) whose messages name what went wrong and what to do about it. A
 * caller that wants to tell Baton's own failures apart from a handler's or a task's catches this
 * type.
 */
public abstract class BatonException extends RuntimeException {

  protected BatonException(String message) {
    super(message);
  }

  protected BatonException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
