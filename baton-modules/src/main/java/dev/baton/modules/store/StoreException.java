package dev.baton.modules.store;

import dev.baton.modules.ModuleException;
import org.jspecify.annotations.Nullable;

/**
 * The root of the store module's typed errors: an absent key, a failed write condition, an unknown
 * store, a backend that cannot be reached. Each names the store.
 */
public abstract sealed class StoreException extends ModuleException
    permits KeyNotFoundException,
        VersionConflictException,
        StoreNotFoundException,
        StoreUnavailableException {
  private final String store;

  StoreException(String store, String message) {
    super(message);
    this.store = store;
  }

  StoreException(String store, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.store = store;
  }

  /** The store's name. */
  public String store() {
    return store;
  }
}
