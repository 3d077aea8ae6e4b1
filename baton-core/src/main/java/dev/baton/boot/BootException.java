package dev.baton.boot;

import dev.baton.BatonException;
import org.jspecify.annotations.Nullable;

/** The root of the errors raised while a node is assembled, started or stopped. */
public class BootException extends BatonException {

  public BootException(String message) {
    super(message);
  }

  public BootException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
