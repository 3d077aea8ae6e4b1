package dev.baton.cloudstorage;

/**
 * A {@link CloudStorage.Download}'s range starts at or past the object's end (HTTP 416); nothing
 * was read. {@link CloudStorage.Head} tells the object's size.
 */
public final class InvalidRangeException extends CloudStorageException {
  private final String key;

  /**
   * @param storage the storage's name
   * @param key the object's key
   * @param range the range asked for
   * @param size the object's size, or -1 if the backend did not tell
   */
  public InvalidRangeException(String storage, String key, ByteRange range, long size) {
    super(
        storage,
        "range "
            + range.header()
            + " of object '"
            + key
            + "' in storage '"
            + storage
            + "' starts past its end"
            + (size < 0 ? "" : " (it has " + size + " bytes)"));
    this.key = key;
  }

  /** The object's key. */
  public String key() {
    return key;
  }
}
