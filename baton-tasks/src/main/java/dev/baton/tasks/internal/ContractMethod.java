package dev.baton.tasks.internal;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.TaskSignature;
import java.lang.reflect.Method;

/**
 * One method of a contract interface and the task it stands for, as {@link
 * ContractMethods#describe} finds them.
 *
 * @param method the interface method (abstract, public)
 * @param taskName its {@link dev.baton.tasks.TaskName}, else {@code SimpleInterfaceName.method}
 * @param signature the task's signature: the method's generic parameter types and names, and its
 *     return type, unwrapped from the future for {@link ReturnShape#FUTURE}
 * @param shape how the method returns
 */
public record ContractMethod(
    Method method, String taskName, TaskSignature signature, ReturnShape shape) {

  public ContractMethod {
    requireNonNull(method, "method");
    requireNonNull(taskName, "taskName");
    requireNonNull(signature, "signature");
    requireNonNull(shape, "shape");
  }
}
