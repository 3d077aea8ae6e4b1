package dev.baton.modules.stream;

import dev.baton.modules.ModuleException;
import java.io.IOException;

/**
 * The operating system failed a read, write, seek, flush or stat on an open stream (disk full,
 * connection reset, ...); the cause says why. The stream stays open; whether retrying helps depends
 * on the cause.
 */
public final class StreamIoException extends ModuleException {
  private final long stream;

  /**
   * @param stream the stream's handle
   * @param operation the command, for example {@code "stream.Write"}
   * @param cause what the operating system reported
   */
  public StreamIoException(long stream, String operation, IOException cause) {
    super(operation + " on stream " + stream + " failed: " + cause, cause);
    this.stream = stream;
  }

  /** The stream's handle. */
  public long stream() {
    return stream;
  }
}
