package dev.baton.tasks.internal;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.TaskFunction;
import dev.baton.tasks.TaskSignature;

/**
 * A task ready to register: its checked signature and its body. What {@link MethodTasks} and {@link
 * TypedFunctions} produce and the engine's {@code register(signature, function)} takes.
 *
 * @param signature the task's name and declared types, already checked by {@link TypeChecks}
 * @param function the body, called with arguments already corrected to the declared types
 */
public record TaskDefinition(TaskSignature signature, TaskFunction function) {

  public TaskDefinition {
    requireNonNull(signature, "signature");
    requireNonNull(function, "function");
  }

  /** The task name. */
  public String name() {
    return signature.name();
  }
}
