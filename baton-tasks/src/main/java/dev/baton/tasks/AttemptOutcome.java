package dev.baton.tasks;

import org.jspecify.annotations.Nullable;

/** How one attempt ended: a value, or an error saying why not. */
record AttemptOutcome(@Nullable Object value, @Nullable TaskError error) {

  static AttemptOutcome success(@Nullable Object value) {
    return new AttemptOutcome(value, null);
  }

  static AttemptOutcome failure(ErrorCode code, String message) {
    return new AttemptOutcome(null, new TaskError(code, message));
  }

  boolean succeeded() {
    return error == null;
  }
}
