package dev.baton.cloudstorage;

/**
 * {@link CloudStorage.PresignedGetUrl} or {@link CloudStorage.PresignedPutUrl} on a storage that
 * cannot hand out URLs: the local filesystem backend serves no HTTP, so it has no URL a client
 * could use. Use an S3 storage for presigned URLs, or Download/Upload through the node.
 */
public final class PresignNotSupportedException extends CloudStorageException {
  /**
   * @param storage the storage's name
   * @param backend what kind of backend it is
   */
  public PresignNotSupportedException(String storage, String backend) {
    super(
        storage,
        "storage '"
            + storage
            + "' ("
            + backend
            + ") cannot presign URLs: it serves no HTTP; use an S3 storage for presigned URLs");
  }
}
