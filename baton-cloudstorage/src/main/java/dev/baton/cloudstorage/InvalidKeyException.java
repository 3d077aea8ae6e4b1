package dev.baton.cloudstorage;

/**
 * A key the storage cannot hold: for the local filesystem backend, a key that would escape its root
 * ({@code ..}, an absolute path, a backslash, an empty segment), use a reserved name, or collide
 * with an object whose key is a prefix directory of it.
 */
public final class InvalidKeyException extends CloudStorageException {
  private final String key;

  /**
   * @param storage the storage's name
   * @param key the refused key
   * @param reason why it is refused
   */
  public InvalidKeyException(String storage, String key, String reason) {
    super(storage, "storage '" + storage + "' refuses key '" + key + "': " + reason);
    this.key = key;
  }

  /** The refused key. */
  public String key() {
    return key;
  }
}
