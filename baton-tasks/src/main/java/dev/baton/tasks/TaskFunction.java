package dev.baton.tasks;

import org.jspecify.annotations.Nullable;

/**
 * The body of a task, called with its arguments already corrected to the declared parameter types
 * of its {@link TaskSignature}. The typed forms ({@link Of0} … {@link Of4}) are what users write;
 * {@link TaskApp} adapts them to this one.
 *
 * <p>An exception ends the attempt in {@link ErrorCode#TASK_FAILED} (retried under the call's
 * {@link RetryPolicy}); an {@link Error} ends it in {@link ErrorCode#PANIC}. Either way the worker
 * goes on. The running task may report progress through {@link TaskContext#current()}.
 */
@FunctionalInterface
public interface TaskFunction {

  /** Runs the task. {@code arguments} has exactly the signature's arity. */
  @Nullable Object invoke(@Nullable Object[] arguments) throws Exception;

  /** A task without parameters. */
  @FunctionalInterface
  interface Of0<R extends @Nullable Object> {
    R apply() throws Exception;
  }

  /** A task of one parameter. */
  @FunctionalInterface
  interface Of1<A extends @Nullable Object, R extends @Nullable Object> {
    R apply(A a) throws Exception;
  }

  /** A task of two parameters. */
  @FunctionalInterface
  interface Of2<
      A extends @Nullable Object, B extends @Nullable Object, R extends @Nullable Object> {
    R apply(A a, B b) throws Exception;
  }

  /** A task of three parameters. */
  @FunctionalInterface
  interface Of3<
      A extends @Nullable Object,
      B extends @Nullable Object,
      C extends @Nullable Object,
      R extends @Nullable Object> {
    R apply(A a, B b, C c) throws Exception;
  }

  /** A task of four parameters. */
  @FunctionalInterface
  interface Of4<
      A extends @Nullable Object,
      B extends @Nullable Object,
      C extends @Nullable Object,
      D extends @Nullable Object,
      R extends @Nullable Object> {
    R apply(A a, B b, C c, D d) throws Exception;
  }
}
