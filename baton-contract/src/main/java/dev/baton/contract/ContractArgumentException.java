package dev.baton.contract;

/**
 * The arguments of a {@link Contracts.Call} or {@link Contracts.AsyncCall} do not fit the method
 * (wrong count, an argument of the wrong type, a null for a primitive parameter), the return type
 * the caller expects cannot hold the method's, or {@link Contracts.Open} gave values to a binding
 * that takes none. Nothing was called.
 */
public final class ContractArgumentException extends ContractException {

  /**
   * @param message what does not fit, and what the method expects
   */
  public ContractArgumentException(String message) {
    super(message);
  }
}
