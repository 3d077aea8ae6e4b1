package dev.baton.modules.event;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import org.jspecify.annotations.Nullable;

/**
 * The event module's commands and their ids (DESIGN.md's table), handled by {@link EventModule}
 * over the node's {@link EventBus}. Topics and patterns follow {@link TopicPattern}'s rules; the
 * commands check them when they are built, so a bad one fails in the process that builds it, with
 * an {@link IllegalArgumentException} naming it.
 */
public final class Events {
  /** The id of {@link Subscribe}. */
  public static final CommandId SUBSCRIBE = CommandId.of(90);

  /** The id of {@link Send}. */
  public static final CommandId SEND = CommandId.of(91);

  /** The id of {@link Unsubscribe}. */
  public static final CommandId UNSUBSCRIBE = CommandId.of(92);

  private Events() {}

  /**
   * A subscription of the process that created it; private to that process, and ended with it.
   *
   * @param value the handle's number
   */
  public record SubscriptionId(long value) {}

  /**
   * Subscribes the calling process to the topics matching {@code pattern}. Completes with the
   * subscription's id; the subscription ends when the process does (or with {@link Unsubscribe}).
   *
   * <p>Without a delivery topic, each matching event arrives in its mailbox as a {@code
   * Message(topic, payload, sender)}, where {@code topic} is the published topic and {@code sender}
   * the publishing process (null if the publisher was not a process). With one ({@link
   * #deliveredOn}), it arrives as {@code Message(deliveryTopic, Event(topic, payload), sender)}: a
   * wildcard subscriber can then select its events with {@code receive(deliveryTopic)}, which it
   * cannot do on published topics it does not know in advance.
   *
   * <p>Errors: {@link dev.baton.modules.NotAProcessException} if the caller is not a process;
   * {@link dev.baton.process.ProcessNotFoundException} if it has already ended.
   *
   * @param pattern a {@link TopicPattern}, such as {@code orders.*.created} or {@code orders.**}
   * @param deliveryTopic the topic the events arrive on, or null for the published topic; if given,
   *     a concrete topic (see {@link TopicPattern#requireTopic})
   */
  public record Subscribe(String pattern, @Nullable String deliveryTopic)
      implements Command<SubscriptionId> {
    /** Checks the pattern (see {@link TopicPattern#compile}) and the delivery topic. */
    public Subscribe {
      TopicPattern.compile(pattern);
      if (deliveryTopic != null) {
        TopicPattern.requireTopic(deliveryTopic);
      }
    }

    /** Subscribes with events arriving on their published topics. */
    public Subscribe(String pattern) {
      this(pattern, null);
    }

    /**
     * This subscription with its events delivered on {@code topic}, each wrapped in an {@link
     * Event} that keeps the published topic: {@code new Events.Subscribe("orders.**")
     * .deliveredOn("orders")}, then {@code receive("orders")}.
     *
     * @throws IllegalArgumentException if {@code topic} is not a concrete topic
     */
    public Subscribe deliveredOn(String topic) {
      requireNonNull(topic, "deliveryTopic");
      return new Subscribe(pattern, topic);
    }

    @Override
    public CommandId commandId() {
      return SUBSCRIBE;
    }
  }

  /**
   * The payload of an event delivered on a subscription's delivery topic (see {@link
   * Subscribe#deliveredOn}).
   *
   * @param topic the topic the event was published on
   * @param payload the published payload
   */
  public record Event(String topic, @Nullable Object payload) {}

  /**
   * Publishes {@code payload} on {@code topic}; completes with the number of subscriptions it was
   * delivered to (0 when nobody listens, which is not an error). A subscriber whose mailbox is full
   * misses the event, counted in {@link EventBus#stats()}; the send still succeeds. Events from one
   * publisher reach each subscriber in the order they were sent. Any caller may send, process or
   * not.
   *
   * @param topic a concrete topic (no wildcard, not starting with {@code @})
   * @param payload the event's content, passed by reference (use immutable values)
   */
  public record Send(String topic, @Nullable Object payload) implements Command<Integer> {
    /** Checks the topic (see {@link TopicPattern#requireTopic}). */
    public Send {
      TopicPattern.requireTopic(topic);
    }

    @Override
    public CommandId commandId() {
      return SEND;
    }
  }

  /**
   * Ends one of the calling process's subscriptions; completes with true. Nothing is sent after it
   * completes; events already queued in the mailbox may still be received.
   *
   * <p>Errors: {@link dev.baton.modules.HandleNotFoundException} if the process does not own {@code
   * id} (never created, already ended, or another process's); {@link
   * dev.baton.modules.NotAProcessException} if the caller is not a process.
   */
  public record Unsubscribe(SubscriptionId id) implements Command<Boolean> {
    /** Requires an id. */
    public Unsubscribe {
      requireNonNull(id, "id");
    }

    @Override
    public CommandId commandId() {
      return UNSUBSCRIBE;
    }
  }
}
