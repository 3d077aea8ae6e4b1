package dev.baton.modules.stream;

import dev.baton.modules.ModuleException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@link Streams.OpenFile} could not open the file (missing, a directory, no permission, already
 * exists with {@link Streams.OpenMode#CREATE_NEW}); the cause says why. No stream was opened.
 */
public final class StreamOpenException extends ModuleException {
  private final Path path;

  /**
   * @param path the file that was not opened
   * @param cause what the operating system reported
   */
  public StreamOpenException(Path path, IOException cause) {
    super("could not open " + path + ": " + cause, cause);
    this.path = path;
  }

  /** The file that was not opened. */
  public Path path() {
    return path;
  }
}
