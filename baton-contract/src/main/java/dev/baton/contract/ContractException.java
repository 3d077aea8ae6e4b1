package dev.baton.contract;

import dev.baton.modules.ModuleException;
import org.jspecify.annotations.Nullable;

/**
 * The root of the contract module's typed errors: an unknown binding, an unknown method, arguments
 * that do not fit the method, or a local implementation that threw. A remote binding's task
 * failures are the task framework's own {@link dev.baton.tasks.TaskFailedException}, not this type.
 */
public abstract class ContractException extends ModuleException {

  protected ContractException(String message) {
    super(message);
  }

  protected ContractException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
