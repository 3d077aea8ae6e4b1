package dev.baton.modules.store;

/**
 * A {@link Store.Get} found no live entry at its key: the key was never written, was deleted, or
 * has expired. Use {@link Store.Entry} to read a key that may be absent without an error.
 */
public final class KeyNotFoundException extends StoreException {
  private final String key;

  /**
   * @param store the store's name
   * @param key the key
   */
  public KeyNotFoundException(String store, String key) {
    super(
        store,
        "store '"
            + store
            + "' holds no entry at key '"
            + key
            + "' (never written, deleted or expired); use store.Entry or store.Has to read a key"
            + " that may be absent");
    this.key = key;
  }

  /** The key. */
  public String key() {
    return key;
  }
}
