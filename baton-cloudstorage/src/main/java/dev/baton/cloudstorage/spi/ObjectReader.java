package dev.baton.cloudstorage.spi;

import dev.baton.cloudstorage.ObjectInfo;
import java.io.InputStream;

/**
 * An object being read: its metadata, how many bytes the read yields, and the stream of them. Used
 * by one thread; the module closes it when done, or aborts it when the download is cancelled or
 * refused.
 */
public interface ObjectReader extends AutoCloseable {
  /** The object's metadata ({@code size} is the whole object's). */
  ObjectInfo info();

  /** How many bytes {@link #stream()} yields (the range's length when a range was asked). */
  long length();

  /** The bytes. */
  InputStream stream();

  /**
   * Drops the transfer without reading the rest (an S3 backend closes the connection instead of
   * draining it). May be called from another thread than the reader's; idempotent.
   */
  void abort();

  /** Releases the stream after it was read. Idempotent. */
  @Override
  void close();
}
