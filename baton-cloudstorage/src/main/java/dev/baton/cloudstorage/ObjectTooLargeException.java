package dev.baton.cloudstorage;

/**
 * A {@link CloudStorage.Download} found more bytes than its {@code maxBytes}; nothing was kept (no
 * partial array, no partial file).
 */
public final class ObjectTooLargeException extends CloudStorageException {
  private final String key;
  private final long size;
  private final long limit;

  /**
   * @param storage the storage's name
   * @param key the object's key
   * @param size the object's (or the range's) size in bytes, or -1 if only known to be larger
   * @param limit the download's {@code maxBytes}
   */
  public ObjectTooLargeException(String storage, String key, long size, long limit) {
    super(
        storage,
        "object '"
            + key
            + "' in storage '"
            + storage
            + "' is "
            + (size < 0 ? "larger than " + limit : size)
            + " bytes, over the download's limit of "
            + limit
            + " (raise it with withMaxBytes, download a range, or download to a file)");
    this.key = key;
    this.size = size;
    this.limit = limit;
  }

  /** The object's key. */
  public String key() {
    return key;
  }

  /** The object's (or range's) size, or -1 when it was only seen to pass the limit. */
  public long size() {
    return size;
  }

  /** The limit the download had. */
  public long limit() {
    return limit;
  }
}
