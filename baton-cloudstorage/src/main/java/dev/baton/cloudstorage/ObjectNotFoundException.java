package dev.baton.cloudstorage;

import org.jspecify.annotations.Nullable;

/** {@link CloudStorage.Head} or {@link CloudStorage.Download} named a key that holds no object. */
public final class ObjectNotFoundException extends CloudStorageException {
  private final String key;

  /**
   * @param storage the storage's name
   * @param key the absent key
   * @param cause the backend's own error, if any
   */
  public ObjectNotFoundException(String storage, String key, @Nullable Throwable cause) {
    super(
        storage,
        "storage '" + storage + "' has no object at key '" + key + "' (List shows what there is)",
        cause);
    this.key = key;
  }

  /** The absent key. */
  public String key() {
    return key;
  }
}
