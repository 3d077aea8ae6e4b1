package dev.baton.tasks.internal;

/**
 * How a contract interface's method returns its task's result, which decides what a typed stub does
 * with the outcome.
 */
public enum ReturnShape {
  /** A plain value: the stub waits for the result and returns it (or throws on failure). */
  VALUE,
  /**
   * A {@code CompletableFuture<X>} or {@code CompletionStage<X>}: the stub returns at once with a
   * future of the result; the task's declared return type is {@code X}.
   */
  FUTURE,
  /** {@code void}: the stub waits for the outcome and returns nothing (or throws on failure). */
  VOID
}
