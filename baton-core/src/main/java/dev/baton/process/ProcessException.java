package dev.baton.process;

import dev.baton.BatonException;
import org.jspecify.annotations.Nullable;

/** The root of the process runtime's errors. */
public class ProcessException extends BatonException {

  public ProcessException(String message) {
    super(message);
  }

  public ProcessException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
