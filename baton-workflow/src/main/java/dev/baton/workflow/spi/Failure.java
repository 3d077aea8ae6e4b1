package dev.baton.workflow.spi;

import static java.util.Objects.requireNonNull;

/**
 * A journaled error: the class name of what was thrown and its message.
 *
 * @param type the binary class name of the exception
 * @param message its message ("" when it had none)
 */
public record Failure(String type, String message) {
  /** Checks the fields. */
  public Failure {
    requireNonNull(type, "type");
    requireNonNull(message, "message");
  }

  /**
   * The failure {@code error} stands for. A NUL character in the message (which PostgreSQL text
   * cannot hold) becomes U+FFFD, so every store can journal it.
   */
  public static Failure of(Throwable error) {
    String message = error.getMessage();
    return new Failure(
        error.getClass().getName(), message == null ? "" : message.replace('\u0000', '\uFFFD'));
  }
}
