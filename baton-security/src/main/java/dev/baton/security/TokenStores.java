package dev.baton.security;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.Component;
import dev.baton.boot.Key;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's named token stores (issuers), shared under {@link #KEY}: the security module resolves
 * each command's store name here. Immutable after construction, so thread-safe.
 *
 * <p>Boot it with {@link #component(TokenStore...)}.
 */
public final class TokenStores {
  /** The key the node shares its token stores under. */
  public static final Key<TokenStores> KEY = Key.of("security.token-stores", TokenStores.class);

  /** The name of the component that provides {@link #KEY}. */
  public static final String COMPONENT_NAME = "security.token-stores";

  private final Map<String, TokenStore> byName;

  /**
   * @param stores the token stores, by their {@link TokenStore#name()}
   * @throws IllegalArgumentException if two have the same name
   */
  public TokenStores(List<TokenStore> stores) {
    Map<String, TokenStore> map = new LinkedHashMap<>();
    for (TokenStore store : stores) {
      requireNonNull(store, "store");
      if (map.putIfAbsent(store.name(), store) != null) {
        throw new IllegalArgumentException("two token stores are named '" + store.name() + "'");
      }
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  /**
   * The token store called {@code name}.
   *
   * @throws TokenStoreNotFoundException naming the stores there are, if there is none
   */
  public TokenStore require(String name) {
    TokenStore store = byName.get(name);
    if (store == null) {
      throw new TokenStoreNotFoundException(name, byName.keySet());
    }
    return store;
  }

  /** The token stores, in the order given. */
  public List<TokenStore> all() {
    return List.copyOf(byName.values());
  }

  /** A component providing {@code stores} under {@link #KEY}. */
  public static Component component(TokenStore... stores) {
    TokenStores shared = new TokenStores(List.of(stores));
    return Component.named(COMPONENT_NAME).onLoad(context -> context.with(KEY, shared)).build();
  }
}
