package dev.baton.tasks.spi;

import dev.baton.tasks.TasksException;
import org.jspecify.annotations.Nullable;

/**
 * Bytes that are not a valid envelope: truncated, an unknown version, a length past the limit, a
 * bad field. The message says which field and why. The app dead-letters such a delivery and goes
 * on.
 */
public final class EnvelopeDecodeException extends TasksException {

  public EnvelopeDecodeException(String message) {
    super(message);
  }

  public EnvelopeDecodeException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
