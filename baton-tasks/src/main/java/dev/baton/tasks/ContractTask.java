package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Method;
import java.lang.reflect.Type;

/**
 * One method of a contract interface and the task it stands for, named and typed exactly as {@link
 * TaskApp#registerAll} and {@link TaskApp#stub} name and type it: what other mechanisms that call a
 * contract's tasks (the process-side {@code contract} module) read instead of restating the rules.
 *
 * @param method the interface method (abstract, public)
 * @param taskName its {@link TaskName}, else {@code SimpleInterfaceName.method}
 * @param signature the task's signature; its return type is the value type, unwrapped from the
 *     future for {@link Shape#FUTURE} and {@code void.class} for {@link Shape#VOID}
 * @param shape how the method returns
 */
public record ContractTask(Method method, String taskName, TaskSignature signature, Shape shape) {

  /** How a contract method returns its task's result. */
  public enum Shape {
    /** A plain value. */
    VALUE,
    /** {@code CompletableFuture<X>} or {@code CompletionStage<X>}: the task returns {@code X}. */
    FUTURE,
    /** {@code void}. */
    VOID
  }

  public ContractTask {
    requireNonNull(method, "method");
    requireNonNull(taskName, "taskName");
    requireNonNull(signature, "signature");
    requireNonNull(shape, "shape");
  }

  /** The type of the value the task yields: {@code signature().returnType()}. */
  public Type valueType() {
    return signature.returnType();
  }
}
