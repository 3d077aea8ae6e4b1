package dev.baton.process;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A message delivered to a process's mailbox.
 *
 * <p>Topics starting with {@code @} are reserved for the runtime's notifications: {@link
 * #CANCEL_TOPIC} (a cooperative request to stop), {@link #EXIT_TOPIC} (a monitored process ended)
 * and {@link #LINK_DOWN_TOPIC} (a linked process failed).
 *
 * @param topic what the message is about; receivers select by it
 * @param payload the message's content
 * @param sender the process that sent it, or null when it came from outside any process
 */
public record Message(String topic, @Nullable Object payload, @Nullable Pid sender)
    implements Event {

  /** The topic of a cooperative cancellation request; the payload is the reason. */
  public static final String CANCEL_TOPIC = "@cancel";

  /** The topic of a monitored process's exit notification. */
  public static final String EXIT_TOPIC = "@exit";

  /** The topic of a linked process's failure notification. */
  public static final String LINK_DOWN_TOPIC = "@link-down";

  /** Requires a topic. */
  public Message {
    requireNonNull(topic, "topic");
  }

  /** Returns whether the topic is one of the runtime's reserved topics. */
  public boolean isReserved() {
    return topic.startsWith("@");
  }
}
