package dev.baton.amqp;

/**
 * A publish the broker did not confirm: it refused the message (a nack), could not route a
 * mandatory one to any queue ({@link #unroutable()}), or the channel closed before it answered (in
 * which case the message may or may not be stored).
 */
final class AmqpPublishException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean unroutable;

  AmqpPublishException(String message, boolean unroutable) {
    super(message);
    this.unroutable = unroutable;
  }

  AmqpPublishException(String message, Throwable cause) {
    super(message, cause);
    this.unroutable = false;
  }

  /** Whether the broker returned the message because no queue was bound to take it. */
  boolean unroutable() {
    return unroutable;
  }
}
