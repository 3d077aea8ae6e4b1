package dev.baton.security;

import java.util.Collection;
import java.util.List;

/** A command named a token store the node does not have. */
public final class TokenStoreNotFoundException extends TokenException {
  private final List<String> known;

  TokenStoreNotFoundException(String store, Collection<String> known) {
    super(
        store,
        "no such token store; the node has "
            + (known.isEmpty() ? "none" : known.stream().sorted().toList())
            + " (configure it with TokenStores.component(...))");
    this.known = known.stream().sorted().toList();
  }

  /** The token stores the node has, sorted. */
  public List<String> known() {
    return known;
  }
}
