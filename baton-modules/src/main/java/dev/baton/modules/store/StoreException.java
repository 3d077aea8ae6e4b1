package dev.baton.modules.store;

import dev.baton.modules.ModuleException;

/**
 * The root of the store module's domain errors: an absent key, a failed write condition, an unknown
 * store. Each names the store.
 */
public abstract sealed class StoreException extends ModuleException
    permits KeyNotFoundException, VersionConflictException, StoreNotFoundException {
  private final String store;

  StoreException(String store, String message) {
    super(message);
    this.store = store;
  }

  /** The store's name. */
  public String store() {
    return store;
  }
}
