package dev.baton.tasks;

import org.jspecify.annotations.Nullable;

/**
 * A programming error found while configuring a {@link TaskApp}: a duplicate task name, a parameter
 * type the marshallers cannot carry, an unknown marshaller or id-maker id, an object attached for a
 * role it does not implement, a call on a closed app. The message names the task, parameter or role
 * and says what to do.
 */
public final class TaskConfigurationException extends TasksException {

  public TaskConfigurationException(String message) {
    super(message);
  }

  public TaskConfigurationException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
