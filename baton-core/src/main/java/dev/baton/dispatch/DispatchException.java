package dev.baton.dispatch;

import dev.baton.BatonException;
import org.jspecify.annotations.Nullable;

/** The root of the errors of command dispatch: id reservation, registration and routing. */
public class DispatchException extends BatonException {

  public DispatchException(String message) {
    super(message);
  }

  public DispatchException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
