package dev.baton.contract;

import java.util.Collection;
import java.util.List;

/** {@link Contracts.Open} named a binding the node's {@link Bindings} do not have. */
public final class BindingNotFoundException extends ContractException {
  private final String bindingId;
  private final List<String> known;

  /**
   * @param bindingId the binding the command named
   * @param known the bindings the node has
   */
  public BindingNotFoundException(String bindingId, Collection<String> known) {
    super(
        "no binding '"
            + bindingId
            + "'; the node has "
            + (known.isEmpty() ? "none" : known.stream().sorted().toList())
            + " (declare it in Bindings.component(...))");
    this.bindingId = bindingId;
    this.known = known.stream().sorted().toList();
  }

  /** The binding the command named. */
  public String bindingId() {
    return bindingId;
  }

  /** The bindings the node has, sorted. */
  public List<String> known() {
    return known;
  }
}
