package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

/**
 * Progress a running task reported through {@link TaskContext#progress(int, String)}.
 *
 * @param percent from 0 to 100
 * @param message what the task is doing, for people
 */
public record Progress(int percent, String message) {

  public Progress {
    requireNonNull(message, "message");
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be within 0..100, got " + percent);
    }
  }
}
