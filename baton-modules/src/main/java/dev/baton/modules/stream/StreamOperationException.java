package dev.baton.modules.stream;

import dev.baton.modules.ModuleException;

/**
 * The stream cannot do what was asked: it is not readable, not writable or not seekable (see {@link
 * #kind()}). The stream stays open; use a stream opened with the right mode.
 */
public final class StreamOperationException extends ModuleException {
  /** What the stream cannot do. */
  public enum Kind {
    /** Read or ScannerCreate on a stream opened without read access. */
    NOT_READABLE,
    /** Write on a stream opened without write access. */
    NOT_WRITABLE,
    /** Seek on a stream without a position (a pipe, a socket, a body). */
    NOT_SEEKABLE,
    /** Close with {@code outputOnly} on a stream without two directions (anything but a socket). */
    NOT_HALF_CLOSABLE
  }

  private final long stream;
  private final Kind kind;

  /**
   * @param stream the stream's handle
   * @param kind what it cannot do
   */
  public StreamOperationException(long stream, Kind kind) {
    super(
        "stream "
            + stream
            + " is "
            + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
            + ": open it with the access the command needs");
    this.stream = stream;
    this.kind = kind;
  }

  /** The stream's handle. */
  public long stream() {
    return stream;
  }

  /** What the stream cannot do. */
  public Kind kind() {
    return kind;
  }
}
