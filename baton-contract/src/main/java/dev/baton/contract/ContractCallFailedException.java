package dev.baton.contract;

import static java.util.Objects.requireNonNull;

/**
 * A local binding's implementation threw (or its returned future failed): the implementation's own
 * exception is the {@link #getCause() cause}, unchanged, so a process can inspect its type.
 */
public final class ContractCallFailedException extends ContractException {
  private final String bindingId;
  private final String method;

  /**
   * @param bindingId the binding whose instance was called
   * @param method the method's name as the caller gave it
   * @param cause what the implementation threw
   */
  public ContractCallFailedException(String bindingId, String method, Throwable cause) {
    super(
        "the call of "
            + method
            + " on an instance of binding '"
            + bindingId
            + "' failed: "
            + requireNonNull(cause, "cause"),
        cause);
    this.bindingId = bindingId;
    this.method = method;
  }

  /** The binding whose instance was called. */
  public String bindingId() {
    return bindingId;
  }

  /** The method's name as the caller gave it. */
  public String method() {
    return method;
  }
}
