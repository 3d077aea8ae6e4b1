package dev.baton.cloudstorage;

/**
 * A range of an object's bytes, both ends inclusive as in HTTP's {@code Range: bytes=first-last}. A
 * {@code last} past the object's end is cut to it. Immutable.
 *
 * @param first the first byte's offset, at least 0
 * @param last the last byte's offset, at least {@code first}
 */
public record ByteRange(long first, long last) {
  /** Checks {@code 0 <= first <= last}. */
  public ByteRange {
    if (first < 0) {
      throw new IllegalArgumentException("first must be >= 0, was " + first);
    }
    if (last < first) {
      throw new IllegalArgumentException("last (" + last + ") must be >= first (" + first + ")");
    }
  }

  /** The range of {@code length} bytes from {@code first}. */
  public static ByteRange ofLength(long first, long length) {
    if (length <= 0) {
      throw new IllegalArgumentException("length must be > 0, was " + length);
    }
    return new ByteRange(first, Math.addExact(first, length - 1));
  }

  /** The HTTP header value, {@code bytes=first-last}. */
  public String header() {
    return "bytes=" + first + "-" + last;
  }
}
