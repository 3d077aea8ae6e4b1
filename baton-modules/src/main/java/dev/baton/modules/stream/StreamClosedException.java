package dev.baton.modules.stream;

import dev.baton.modules.ModuleException;

/**
 * The stream was closed underneath the operation (by a Close that raced it, by the module that
 * provided it, or by the node's shutdown). The handle is no longer usable; open the stream again.
 */
public final class StreamClosedException extends ModuleException {
  private final long stream;

  /**
   * @param stream the stream's handle
   * @param operation the command that found it closed, for example {@code "stream.Read"}
   */
  public StreamClosedException(long stream, String operation) {
    super(operation + " on stream " + stream + " failed: the stream is closed");
    this.stream = stream;
  }

  /** The stream's handle. */
  public long stream() {
    return stream;
  }
}
