package dev.baton.modules.store;

import java.util.Collection;
import java.util.List;

/** A command named a store the node has no backend for. */
public final class StoreNotFoundException extends StoreException {
  private final List<String> known;

  /**
   * @param store the name the command gave
   * @param known the stores the node has
   */
  public StoreNotFoundException(String store, Collection<String> known) {
    super(
        store,
        "no store named '"
            + store
            + "'; the node has "
            + (known.isEmpty() ? "none" : known.stream().sorted().toList())
            + " (configure it with Stores.component(...))");
    this.known = known.stream().sorted().toList();
  }

  /** The stores the node has, sorted. */
  public List<String> known() {
    return known;
  }
}
