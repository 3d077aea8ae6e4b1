package dev.baton.cloudstorage;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What {@link CloudStorage.Download} read. Exactly one of {@link #bytes()} and {@link #file()} is
 * set. Immutable apart from the array, which the caller owns.
 *
 * @param info the object's metadata ({@code size} is the whole object's)
 * @param length how many bytes were read (the range's length when a range was asked)
 * @param bytes the bytes, for a download to memory
 * @param file the file written, for a download to a file
 */
// The array is handed over, not compared or hashed.
@SuppressWarnings("ArrayRecordComponent")
public record Downloaded(
    ObjectInfo info, long length, byte @Nullable [] bytes, @Nullable Path file) {
  /** Checks that exactly one of bytes and file is set. */
  public Downloaded {
    requireNonNull(info, "info");
    if ((bytes == null) == (file == null)) {
      throw new IllegalArgumentException("exactly one of bytes and file must be set");
    }
  }

  /**
   * The bytes of a download to memory.
   *
   * @throws IllegalStateException for a download to a file
   */
  public byte[] requireBytes() {
    if (bytes == null) {
      throw new IllegalStateException("this download went to the file " + file);
    }
    return bytes;
  }

  /** The bytes of a download to memory, decoded as UTF-8. */
  public String text() {
    return new String(requireBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
