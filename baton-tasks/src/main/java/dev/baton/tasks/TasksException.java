package dev.baton.tasks;

import dev.baton.BatonException;
import org.jspecify.annotations.Nullable;

/**
 * The root of every exception the task layer throws: configuration mistakes found when registering
 * or attaching ({@link TaskConfigurationException}) and a failed call surfaced as an exception
 * ({@link TaskFailedException}).
 */
public abstract class TasksException extends BatonException {

  protected TasksException(String message) {
    super(message);
  }

  protected TasksException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
