package dev.baton.cloudstorage.spi;

import dev.baton.cloudstorage.ByteRange;
import dev.baton.cloudstorage.CloudStorage;
import dev.baton.cloudstorage.DeleteOutcome;
import dev.baton.cloudstorage.ObjectInfo;
import dev.baton.cloudstorage.ObjectPage;
import dev.baton.cloudstorage.PresignedUrl;
import dev.baton.cloudstorage.UploadResult;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One named object storage (one bucket, one directory): the backend SPI of the cloudstorage module.
 *
 * <p><b>Blocking, on the module's threads.</b> Every method may block on I/O. The module calls them
 * only on its own executor (virtual threads), never on the dispatching thread, so an implementation
 * may use a blocking client. Implementations must be thread-safe: several commands run at once.
 *
 * <p><b>Cancellation is interruption.</b> When a command is cancelled, the module interrupts the
 * thread running it (and aborts an open {@link ObjectReader}). An implementation must then stop the
 * transfer promptly, clean up what it wrote (an interrupted upload leaves no object and no
 * temporary file), and throw (any exception; the module completes the command with a {@link
 * java.util.concurrent.CancellationException}).
 *
 * <p><b>Errors.</b> Methods throw the module's typed errors ({@link
 * dev.baton.cloudstorage.ObjectNotFoundException}, {@link
 * dev.baton.cloudstorage.InvalidKeyException}, {@link
 * dev.baton.cloudstorage.AccessDeniedException}, {@link
 * dev.baton.cloudstorage.StorageUnavailableException}, ...) naming {@link #name()}; anything else
 * they throw reaches the caller as a {@code StorageUnavailableException}.
 */
public interface ObjectStorage extends AutoCloseable {
  /** The storage's name, as commands give it. */
  String name();

  /**
   * One page of the objects under {@code prefix}, in ascending key order.
   *
   * @param prefix the keys' prefix, possibly empty
   * @param continuationToken the previous page's token, or null for the first page
   * @param maxKeys the most objects on the page
   */
  ObjectPage list(String prefix, @Nullable String continuationToken, int maxKeys);

  /** The object's metadata; {@code ObjectNotFoundException} if absent. */
  ObjectInfo head(String key);

  /**
   * Opens the object (or {@code range} of it) for reading; the caller closes or aborts the reader.
   * {@code ObjectNotFoundException} if absent, {@code InvalidRangeException} if the range starts at
   * or past its end.
   */
  ObjectReader open(String key, @Nullable ByteRange range);

  /**
   * Writes the object from {@code upload}'s bytes or file, atomically: it appears whole, or (on
   * failure or interruption) the key keeps what it held.
   */
  UploadResult upload(CloudStorage.Upload upload);

  /** Deletes {@code keys}: one outcome per key, in order; an absent key succeeds. */
  List<DeleteOutcome> delete(List<String> keys);

  /**
   * A URL that GETs {@code key} without credentials until {@code expiry} passes; {@code
   * PresignNotSupportedException} if this storage serves no HTTP.
   */
  PresignedUrl presignGet(String key, Duration expiry);

  /**
   * A URL that PUTs {@code key} until {@code expiry} passes, with {@code contentType} and {@code
   * contentLength} (-1: any) signed in when given; {@code PresignNotSupportedException} if this
   * storage serves no HTTP.
   */
  PresignedUrl presignPut(
      String key, Duration expiry, @Nullable String contentType, long contentLength);

  /** Releases the storage's clients or files. Idempotent; commands after it fail. */
  @Override
  void close();
}
