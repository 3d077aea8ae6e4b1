package dev.baton.tasks;

import org.jspecify.annotations.Nullable;

/**
 * Calls a task's function with decoded arguments. The default invoker checks the arity and calls
 * {@link TaskFunction#invoke}; a custom one, paired with a custom {@link Marshaller}, lets a hot
 * task skip every reflective step (the pair is registered together with {@link
 * TaskApp#addMarshaller}).
 */
@FunctionalInterface
public interface Invoker {

  /**
   * Runs {@code function} with {@code arguments}.
   *
   * @throws Exception whatever the task throws, which fails the attempt with {@link
   *     ErrorCode#TASK_FAILED}
   */
  @Nullable Object invoke(
      TaskSignature signature, TaskFunction function, @Nullable Object[] arguments)
      throws Exception;
}
