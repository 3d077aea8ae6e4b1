package dev.baton.cloudstorage;

/**
 * An {@link CloudStorage.Upload} is larger than the storage takes in one request (S3's single PUT:
 * 5 GiB); nothing was sent. Multipart uploads are not supported yet: split the content into several
 * objects, or upload it with another tool.
 */
public final class UploadTooLargeException extends CloudStorageException {
  private final String key;
  private final long size;
  private final long limit;

  /**
   * @param storage the storage's name
   * @param key the object's key
   * @param size the content's size in bytes
   * @param limit the most bytes one upload may hold
   */
  public UploadTooLargeException(String storage, String key, long size, long limit) {
    super(
        storage,
        "upload of "
            + size
            + " bytes to key '"
            + key
            + "' in storage '"
            + storage
            + "' is over its single-request limit of "
            + limit
            + " bytes; multipart uploads are not supported yet (split the content into objects)");
    this.key = key;
    this.size = size;
    this.limit = limit;
  }

  /** The object's key. */
  public String key() {
    return key;
  }

  /** The content's size. */
  public long size() {
    return size;
  }

  /** The most bytes one upload may hold. */
  public long limit() {
    return limit;
  }
}
