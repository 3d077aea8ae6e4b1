package dev.baton.modules.store;

/**
 * A conditional {@link Store.Put} found another version than it required, and wrote nothing. To
 * retry a compare-and-set, read the entry again ({@link Store.Entry}), recompute, and put with the
 * version read.
 */
public final class VersionConflictException extends StoreException {
  private final String key;
  private final long expected;
  private final long actual;

  /**
   * @param store the store's name
   * @param key the key
   * @param expected the version the write required (0: absent)
   * @param actual the version found (0: absent or expired)
   */
  public VersionConflictException(String store, String key, long expected, long actual) {
    super(
        store,
        "store '"
            + store
            + "' key '"
            + key
            + "': the write required "
            + describe(expected)
            + " but found "
            + describe(actual)
            + "; nothing was written (read the entry again and retry with its version)");
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }

  private static String describe(long version) {
    return version == 0 ? "no entry (version 0)" : "version " + version;
  }

  /** The key. */
  public String key() {
    return key;
  }

  /** The version the write required; 0 means the key had to be absent. */
  public long expected() {
    return expected;
  }

  /** The version found; 0 means the key was absent or expired. */
  public long actual() {
    return actual;
  }
}
