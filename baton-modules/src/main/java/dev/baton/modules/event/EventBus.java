package dev.baton.modules.event;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.boot.Component;
import dev.baton.boot.Key;
import dev.baton.process.MailboxFullException;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.process.Scheduler;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-wide event bus: publishers send an event on a concrete topic, and every subscription
 * whose {@link TopicPattern} matches it receives a {@link Message}{@code (topic, payload, sender)}.
 * A subscriber is a process (the event goes to its mailbox) or a Java listener (called on the
 * publisher's thread). Processes reach the bus through {@link EventModule}'s commands; other Java
 * code uses it directly, from the node's services under {@link #KEY}.
 *
 * <p><b>Design.</b> Publishing is the hot path and takes no lock: subscriptions with an exact
 * pattern sit in a {@link ConcurrentHashMap} from topic to an immutable array (one lock-free {@code
 * get} per publish), and wildcard subscriptions in one immutable array behind a volatile field,
 * scanned with {@link TopicPattern#matches} (which allocates nothing). Subscribing and
 * unsubscribing are rare: they copy the affected array under {@link #writeLock} and publish the
 * copy (copy on write), so a publish iterates a consistent snapshot. A subscription added while a
 * publish runs may miss that event; one cancelled while a publish runs may still receive it (its
 * {@code cancelled} flag is checked just before each delivery, which narrows but cannot close that
 * window). Events published after {@link Subscription#cancel()} returned are never delivered.
 *
 * <p><b>Ordering.</b> {@link #publish} delivers synchronously, on the publisher's thread, to every
 * matching subscription before it returns, and a process mailbox is FIFO; so events from one
 * publisher (one process, whose commands run one after another, or one thread) reach each
 * subscriber in publish order. Events of different publishers that publish concurrently have no
 * agreed order. A process with two subscriptions that both match a topic receives the event twice,
 * once per subscription.
 *
 * <p><b>Re-entrant publishing breaks that order.</b> A Java listener runs inside {@link #publish};
 * if it publishes itself, its inner event is delivered to every matching subscription before the
 * outer publish goes on, so the subscriptions after that listener receive the inner event before
 * the outer one (those before it receive outer then inner). A listener that needs the order kept
 * hands its follow-up events to another thread or process instead of publishing from the callback.
 *
 * <p><b>Lifetime.</b> A process subscription must name a live process ({@link #subscribe(String,
 * Pid)} checks), and is dropped by the first matching publish after the process ends; those made
 * through {@link EventModule} also end with their process. A listener subscription has no owner the
 * bus can watch: the code that made it must {@link Subscription#cancel()} it when done, or it
 * lives, and is called, until the node stops.
 *
 * <p><b>Failure.</b> A delivery never fails the publisher or the other subscribers. A full mailbox
 * drops the delivery for that subscription only ({@link Stats#droppedMailboxFull()} and {@link
 * Subscription#dropped()} count it). A subscriber process that has ended drops the delivery and its
 * subscription ({@link Stats#droppedSubscriberGone()}). A listener that throws is logged and
 * counted ({@link Stats#listenerFailures()}).
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class EventBus {
  /** The bus in the node's services. */
  public static final Key<EventBus> KEY = Key.of("event.bus", EventBus.class);

  /** The name of the bus's boot component. */
  public static final String COMPONENT_NAME = "event.bus";

  private static final Logger log = LoggerFactory.getLogger(EventBus.class);
  private static final Subscription[] NONE = new Subscription[0];

  private final Scheduler scheduler;
  private final Object writeLock = new Object();

  /** Exact-pattern subscriptions by topic; each array is immutable once published. */
  private final ConcurrentHashMap<String, Subscription[]> exact = new ConcurrentHashMap<>();

  /** Wildcard subscriptions; the array is immutable once published. Written under writeLock. */
  private volatile Subscription[] wildcards = NONE;

  @GuardedBy("writeLock")
  private int subscriptionCount;

  private final AtomicLong lastId = new AtomicLong();
  private final LongAdder published = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder droppedMailboxFull = new LongAdder();
  private final LongAdder droppedSubscriberGone = new LongAdder();
  private final LongAdder listenerFailures = new LongAdder();

  /** Creates a bus that delivers to processes of {@code scheduler}. */
  public EventBus(Scheduler scheduler) {
    this.scheduler = requireNonNull(scheduler, "scheduler");
  }

  /**
   * Returns the boot component, named {@value #COMPONENT_NAME}, that creates the node's bus over
   * its scheduler, shares it under {@link #KEY}, and drops every subscription when the node stops.
   */
  public static Component component() {
    return Component.named(COMPONENT_NAME)
        .dependsOn(Scheduler.COMPONENT_NAME)
        .onLoad(context -> context.with(KEY, new EventBus(context.require(Scheduler.KEY))))
        .onStop(context -> context.require(KEY).clear())
        .build();
  }

  /**
   * Subscribes process {@code subscriber} to topics matching {@code pattern}: each matching event
   * is sent to its mailbox as a {@link Message} on the published topic. The subscription lasts
   * until it is cancelled or the bus finds the process gone (at the first matching publish after it
   * ended); processes subscribing through {@link EventModule} have theirs cancelled when they end.
   *
   * @throws IllegalArgumentException if the pattern is invalid (see {@link TopicPattern})
   * @throws ProcessNotFoundException if {@code subscriber} has already ended (or never existed)
   */
  public Subscription subscribe(String pattern, Pid subscriber) {
    return subscribe(pattern, subscriber, null);
  }

  /**
   * Subscribes process {@code subscriber} as {@link #subscribe(String, Pid)} does, but with each
   * event delivered as {@code Message(deliveryTopic, Events.Event(topic, payload), sender)} when
   * {@code deliveryTopic} is given, so a wildcard subscriber can select its events by one topic.
   *
   * @param deliveryTopic the topic events arrive on, or null for their published topic
   * @throws IllegalArgumentException if the pattern or the delivery topic is invalid
   * @throws ProcessNotFoundException if {@code subscriber} has already ended (or never existed)
   */
  public Subscription subscribe(String pattern, Pid subscriber, @Nullable String deliveryTopic) {
    requireNonNull(subscriber, "subscriber");
    TopicPattern compiled = TopicPattern.compile(pattern);
    if (deliveryTopic != null) {
      TopicPattern.requireTopic(deliveryTopic);
    }
    if (!scheduler.isAlive(subscriber)) {
      throw new ProcessNotFoundException(subscriber);
    }
    Subscription subscription =
        add(
            new Subscription(
                this, lastId.incrementAndGet(), compiled, subscriber, null, deliveryTopic));
    if (!scheduler.isAlive(subscriber)) {
      // Ended while it was added: nothing would ever cancel it but a matching publish.
      subscription.cancel();
      throw new ProcessNotFoundException(subscriber);
    }
    return subscription;
  }

  /**
   * Subscribes {@code listener} to topics matching {@code pattern}. The listener runs on the
   * publisher's thread, during {@link #publish}, so it must be short and must not block; what it
   * throws is logged and counted, never passed to the publisher. The bus cannot tell when the
   * listener's owner is done with it: cancel the returned subscription then, or it lives until the
   * node stops. A listener that publishes breaks the per-publisher order for the subscriptions
   * after it (see the class comment).
   *
   * @throws IllegalArgumentException if the pattern is invalid (see {@link TopicPattern})
   */
  public Subscription subscribe(String pattern, Consumer<? super Message> listener) {
    requireNonNull(listener, "listener");
    return add(
        new Subscription(
            this, lastId.incrementAndGet(), TopicPattern.compile(pattern), null, listener, null));
  }

  /**
   * Publishes {@code payload} on {@code topic} to every matching subscription, synchronously.
   *
   * @param sender the publishing process, or null when the publisher is not a process
   * @return how many subscriptions the event was delivered to (dropped deliveries not counted)
   * @throws IllegalArgumentException if the topic is not a concrete topic (see {@link
   *     TopicPattern#requireTopic})
   */
  public int publish(String topic, @Nullable Object payload, @Nullable Pid sender) {
    TopicPattern.requireTopic(topic);
    published.increment();
    Message message = new Message(topic, payload, sender);
    int count = 0;
    for (Subscription subscription : exact.getOrDefault(topic, NONE)) {
      count += deliver(subscription, message);
    }
    for (Subscription subscription : wildcards) {
      if (subscription.pattern.matches(topic)) {
        count += deliver(subscription, message);
      }
    }
    delivered.add(count);
    return count;
  }

  /** The bus's counters, read without a lock (each is exact; together they are not atomic). */
  public Stats stats() {
    int subscriptions;
    synchronized (writeLock) {
      subscriptions = subscriptionCount;
    }
    return new Stats(
        subscriptions,
        published.sum(),
        delivered.sum(),
        droppedMailboxFull.sum(),
        droppedSubscriberGone.sum(),
        listenerFailures.sum());
  }

  /** Cancels every subscription (the node is stopping). */
  void clear() {
    synchronized (writeLock) {
      for (Subscription[] subscriptions : exact.values()) {
        for (Subscription subscription : subscriptions) {
          subscription.cancelled.set(true);
        }
      }
      for (Subscription subscription : wildcards) {
        subscription.cancelled.set(true);
      }
      exact.clear();
      wildcards = NONE;
      subscriptionCount = 0;
    }
  }

  /** Returns 1 if delivered, 0 if dropped. Never throws. */
  private int deliver(Subscription subscription, Message message) {
    if (subscription.cancelled.get()) {
      return 0;
    }
    Pid pid = subscription.process;
    if (pid != null) {
      String deliveryTopic = subscription.deliveryTopic;
      try {
        scheduler.send(
            pid,
            deliveryTopic == null
                ? message
                : new Message(
                    deliveryTopic,
                    new Events.Event(message.topic(), message.payload()),
                    message.sender()));
        return 1;
      } catch (MailboxFullException full) {
        droppedMailboxFull.increment();
        subscription.dropped.increment();
        return 0;
      } catch (ProcessNotFoundException gone) {
        droppedSubscriberGone.increment();
        subscription.cancel(); // the process will never receive again
        return 0;
      }
    }
    try {
      requireNonNull(subscription.listener, "listener").accept(message);
      return 1;
    } catch (RuntimeException failure) {
      listenerFailures.increment();
      subscription.dropped.increment();
      log.warn(
          "event listener of subscription {} ('{}') failed on topic {}",
          subscription.id,
          subscription.pattern,
          message.topic(),
          failure);
      return 0;
    }
  }

  private Subscription add(Subscription subscription) {
    synchronized (writeLock) {
      if (subscription.pattern.isExact()) {
        exact.compute(subscription.pattern.pattern(), (topic, old) -> appended(old, subscription));
      } else {
        wildcards = appended(wildcards, subscription);
      }
      subscriptionCount++;
    }
    return subscription;
  }

  private void remove(Subscription subscription) {
    synchronized (writeLock) {
      boolean[] found = {false};
      if (subscription.pattern.isExact()) {
        exact.computeIfPresent(
            subscription.pattern.pattern(), (topic, old) -> removed(old, subscription, found));
      } else {
        Subscription[] left = removed(wildcards, subscription, found);
        wildcards = left == null ? NONE : left;
      }
      if (found[0]) {
        subscriptionCount--; // not found: clear() took it already
      }
    }
  }

  private static Subscription[] appended(Subscription @Nullable [] old, Subscription added) {
    if (old == null) {
      return new Subscription[] {added};
    }
    Subscription[] copy = Arrays.copyOf(old, old.length + 1);
    copy[old.length] = added;
    return copy;
  }

  /** Returns the array without {@code gone}, or null if nothing is left (drops the map entry). */
  private static Subscription @Nullable [] removed(
      Subscription[] old, Subscription gone, boolean[] found) {
    Subscription[] copy = new Subscription[old.length];
    int kept = 0;
    for (Subscription subscription : old) {
      if (subscription != gone) {
        copy[kept++] = subscription;
      } else {
        found[0] = true;
      }
    }
    return kept == 0 ? null : Arrays.copyOf(copy, kept);
  }

  /**
   * One subscription to the bus. Thread-safe.
   *
   * <p>Identity matters: two subscriptions with the same pattern and subscriber are distinct and
   * each receives every matching event.
   */
  public static final class Subscription {
    private final EventBus bus;
    private final long id;
    private final TopicPattern pattern;
    private final @Nullable Pid process;
    private final @Nullable Consumer<? super Message> listener;
    private final @Nullable String deliveryTopic;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final LongAdder dropped = new LongAdder();

    private Subscription(
        EventBus bus,
        long id,
        TopicPattern pattern,
        @Nullable Pid process,
        @Nullable Consumer<? super Message> listener,
        @Nullable String deliveryTopic) {
      this.bus = bus;
      this.deliveryTopic = deliveryTopic;
      this.id = id;
      this.pattern = pattern;
      this.process = process;
      this.listener = listener;
    }

    /** The bus-wide number of this subscription, for logs. */
    public long id() {
      return id;
    }

    /** The pattern it matches topics with. */
    public TopicPattern pattern() {
      return pattern;
    }

    /** The subscriber process, or empty for a listener subscription. */
    public Optional<Pid> process() {
      return Optional.ofNullable(process);
    }

    /** The topic its events are delivered on, or empty for their published topics. */
    public Optional<String> deliveryTopic() {
      return Optional.ofNullable(deliveryTopic);
    }

    /** Returns whether it still receives events. */
    public boolean isActive() {
      return !cancelled.get();
    }

    /**
     * How many matching events this subscription did not receive: its process's mailbox was full,
     * or its listener threw.
     */
    public long dropped() {
      return dropped.sum();
    }

    /**
     * Stops the subscription: nothing is sent after this returns (events already queued in the
     * subscriber's mailbox may still be received). Idempotent.
     *
     * @return true if this call cancelled it, false if it was already cancelled
     */
    public boolean cancel() {
      if (!cancelled.compareAndSet(false, true)) {
        return false;
      }
      bus.remove(this);
      return true;
    }

    @Override
    public String toString() {
      return "Subscription["
          + id
          + " '"
          + pattern
          + "' -> "
          + (process != null ? process : "listener")
          + "]";
    }
  }

  /**
   * The bus's counters since it was created.
   *
   * @param subscriptions active subscriptions
   * @param published events published
   * @param delivered deliveries made (an event matching three subscriptions counts three)
   * @param droppedMailboxFull deliveries dropped because the subscriber's mailbox was full
   * @param droppedSubscriberGone deliveries dropped because the subscriber process had ended
   * @param listenerFailures deliveries to listeners that threw
   */
  public record Stats(
      int subscriptions,
      long published,
      long delivered,
      long droppedMailboxFull,
      long droppedSubscriberGone,
      long listenerFailures) {}
}
