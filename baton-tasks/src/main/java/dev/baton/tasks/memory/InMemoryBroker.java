package dev.baton.tasks.memory;

import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.DeliveryHandler;
import dev.baton.tasks.spi.NamedTaskConsumer;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.tasks.spi.WorkerHeartbeat;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * An in-memory broker with one queue per task name or routed queue ({@link TaskEnvelope#queue()}):
 * the default remote layout, in one JVM, for tests and embedded use (the seed's local broker).
 *
 * <p>It behaves like a remote broker: tasks are stored as the bytes {@link
 * dev.baton.tasks.spi.EnvelopeCodec} encodes and delivered on the broker's own dispatcher thread
 * (one per broker, never concurrently to one subscription), under a lease that a later {@link
 * TimeSource} reading ends. Semantics:
 *
 * <ul>
 *   <li>{@link #send} stores the task and returns a completed stage; a task whose eta is in the
 *       future waits in the broker until the time source passes it; expired tasks are not dropped
 *       (the worker reports them EXPIRED);
 *   <li>within a queue, higher priorities first and FIFO within a priority;
 *   <li>subscriptions to one queue share its tasks round-robin, each task to one of them, at most
 *       {@code prefetch} unsettled per subscription;
 *   <li>{@code release} gives a delivery back to the head of its queue and {@code requeue} stores
 *       the next attempt (delayed if its eta is in the future) before removing the delivery; {@code
 *       deadLetter} keeps the body with the error for {@link #deadLetters}. A released or
 *       lease-expired task comes back with {@link dev.baton.tasks.spi.Delivery#deliveryCount()} one
 *       higher; a WARNING {@code TASK_DELIVERY_FAILURE} event reports each lease that ran out;
 *   <li>a settlement after the first is ignored (its stage completes normally), counted by {@link
 *       #ignoredSettlements()} and reported as a WARNING event; a lease renewal after the end of
 *       the delivery is ignored too;
 *   <li>revocations are kept until their {@code until}; heartbeats are shown by {@link #workers()}
 *       for the liveness window after they arrive (on this broker's time source).
 * </ul>
 *
 * <p>Thread-safe. Events go to every attached {@link AdapterContext}. After {@link #close()}
 * (idempotent: stops the dispatcher thread and cancels the broker's timers) {@code send}, {@code
 * revoke} and settlements return stages failed with {@link IllegalStateException} ("broker is
 * closed"), {@code declare}, {@code subscribe}, {@link #injectRaw} and {@link #retryDeadLetter}
 * throw it, and inspection still shows the final state.
 */
public final class InMemoryBroker implements TaskProducer, NamedTaskConsumer, BrokerInspection {

  /** How long a delivery is leased unless renewed: 30 seconds. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /** How long after its last heartbeat a worker is still shown: 30 seconds. */
  public static final Duration DEFAULT_LIVENESS_WINDOW = Duration.ofSeconds(30);

  private final BrokerEngine engine;

  /** A broker on {@code time} with the default lease and liveness window. */
  public InMemoryBroker(TimeSource time) {
    this(time, DEFAULT_LEASE, DEFAULT_LIVENESS_WINDOW);
  }

  /**
   * A broker on {@code time}.
   *
   * @param leaseDuration how long a delivery is held before it is delivered again, unless settled
   *     or renewed
   * @param livenessWindow how long after its last heartbeat a worker is shown by {@link #workers()}
   * @throws IllegalArgumentException if a duration is not positive
   */
  public InMemoryBroker(TimeSource time, Duration leaseDuration, Duration livenessWindow) {
    this.engine = new BrokerEngine(time, leaseDuration, livenessWindow, null);
    engine.start();
  }

  @Override
  public void attach(AdapterContext context) {
    engine.attach(context);
  }

  @Override
  public void detach(AdapterContext context) {
    engine.detach(context);
  }

  /**
   * Creates {@code queue} if it does not exist. Idempotent.
   *
   * @throws IllegalArgumentException if {@code queue} is blank
   * @throws IllegalStateException if the broker is closed
   */
  @Override
  public void declare(String queue) {
    engine.declare(queue);
  }

  /**
   * Stores {@code task} in {@link TaskEnvelope#queue()} (creating the queue if needed) and returns
   * a completed stage; a failed one if the broker is closed or the envelope's version is not {@link
   * dev.baton.tasks.spi.EnvelopeCodec#VERSION}.
   */
  @Override
  public CompletionStage<Void> send(TaskEnvelope task) {
    return engine.send(task);
  }

  @Override
  public CompletionStage<Void> revoke(TaskKey key, Instant until) {
    return engine.revoke(key, until);
  }

  /**
   * Delivers tasks of {@code queue} (created if needed) to {@code handler} on the broker's thread.
   *
   * @throws IllegalArgumentException if {@code prefetch} is less than 1 or {@code queue} is blank
   * @throws IllegalStateException if the broker is closed
   */
  @Override
  public Subscription subscribe(String queue, int prefetch, DeliveryHandler handler) {
    return engine.subscribe(queue, prefetch, handler);
  }

  @Override
  public boolean isRevoked(TaskKey key) {
    return engine.isRevoked(key);
  }

  @Override
  public void heartbeat(WorkerHeartbeat heartbeat) {
    engine.heartbeat(heartbeat);
  }

  /** Every queue, by name. */
  @Override
  public List<QueueStats> queues() {
    return engine.queues();
  }

  /** Workers whose last heartbeat arrived within the liveness window, by worker id. */
  @Override
  public List<WorkerHeartbeat> workers() {
    return engine.workers();
  }

  /**
   * Up to {@code limit} dead letters, oldest first; bodies are copies.
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  @Override
  public List<DeadLetter> deadLetters(int limit) {
    return engine.deadLetters(limit);
  }

  /**
   * Enqueues the dead letter's original body again as a fresh message (delivery count 1, ready at
   * once, at its original priority).
   *
   * @throws IllegalStateException if the broker is closed
   */
  @Override
  public boolean retryDeadLetter(String deadLetterId) {
    return engine.retryDeadLetter(deadLetterId);
  }

  @Override
  public boolean discardDeadLetter(String deadLetterId) {
    return engine.discardDeadLetter(deadLetterId);
  }

  /**
   * Enqueues arbitrary bytes on {@code queue} at priority 0, as a foreign or broken producer would:
   * for tests of a consumer's decode-failure path. The bytes are copied.
   *
   * @throws IllegalStateException if the broker is closed
   */
  public void injectRaw(String queue, byte[] body) {
    engine.injectRaw(queue, body);
  }

  /** Settlements (ack, release, requeue, dead-letter) ignored because they came second. */
  public long ignoredSettlements() {
    return engine.ignoredSettlements();
  }

  /**
   * Waits until the dispatcher has handed out everything it can: no handler call is under way and
   * no queue has both ready tasks and a subscription with room. For tests: after advancing a manual
   * time source or settling, they call this and then assert what was, and was not, delivered, with
   * no wait on the clock. Returns at once once the broker is closed.
   *
   * @return false if {@code timeout} passed first
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return engine.awaitIdle(timeout);
  }

  /** Stops the dispatcher thread and the broker's timers. Idempotent. */
  @Override
  public void close() {
    engine.close();
  }
}
