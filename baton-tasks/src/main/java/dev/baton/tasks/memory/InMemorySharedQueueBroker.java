package dev.baton.tasks.memory;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.DeliveryHandler;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskConsumer;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.tasks.spi.WorkerHeartbeat;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * An in-memory broker that keeps every task on one shared queue, whatever {@link
 * TaskEnvelope#queue()} says: the seed's shared-queue layout, where the worker routes by name.
 *
 * <p>Everything else is as in {@link InMemoryBroker} (the same engine): priorities, delays, leases,
 * settlement, dead letters, revocation, heartbeats, events, thread-safety and {@link #close()}. Its
 * statistics show the one queue, under {@link #queueName()}; {@link #declare} creates that queue
 * whatever name it is given.
 */
public final class InMemorySharedQueueBroker
    implements TaskProducer, TaskConsumer, BrokerInspection {

  /** The shared queue's name unless one is given. */
  public static final String DEFAULT_QUEUE = "baton.tasks";

  private final String queueName;
  private final BrokerEngine engine;

  /** A broker on {@code time} with queue {@value #DEFAULT_QUEUE}, the default lease and window. */
  public InMemorySharedQueueBroker(TimeSource time) {
    this(time, DEFAULT_QUEUE, InMemoryBroker.DEFAULT_LEASE, InMemoryBroker.DEFAULT_LIVENESS_WINDOW);
  }

  /**
   * A broker on {@code time}.
   *
   * @param queueName the shared queue
   * @param leaseDuration how long a delivery is held before it is delivered again
   * @param livenessWindow how long after its last heartbeat a worker is shown
   * @throws IllegalArgumentException if {@code queueName} is blank or a duration is not positive
   */
  public InMemorySharedQueueBroker(
      TimeSource time, String queueName, Duration leaseDuration, Duration livenessWindow) {
    this.queueName = requireNonNull(queueName, "queueName");
    this.engine = new BrokerEngine(time, leaseDuration, livenessWindow, queueName);
    engine.start();
  }

  /** The shared queue every task goes to. */
  public String queueName() {
    return queueName;
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
   * Creates the shared queue if it does not exist; {@code queue} only has to be a valid name.
   *
   * @throws IllegalStateException if the broker is closed
   */
  @Override
  public void declare(String queue) {
    engine.declare(queue);
  }

  /** Stores {@code task} on the shared queue and returns a completed stage. */
  @Override
  public CompletionStage<Void> send(TaskEnvelope task) {
    return engine.send(task);
  }

  @Override
  public CompletionStage<Void> revoke(TaskKey key, Instant until) {
    return engine.revoke(key, until);
  }

  /**
   * Delivers tasks of the shared queue to {@code handler} on the broker's thread.
   *
   * @throws IllegalArgumentException if {@code prefetch} is less than 1
   * @throws IllegalStateException if the broker is closed
   */
  @Override
  public Subscription subscribe(int prefetch, DeliveryHandler handler) {
    return engine.subscribe(queueName, prefetch, handler);
  }

  @Override
  public boolean isRevoked(TaskKey key) {
    return engine.isRevoked(key);
  }

  @Override
  public void heartbeat(WorkerHeartbeat heartbeat) {
    engine.heartbeat(heartbeat);
  }

  @Override
  public List<QueueStats> queues() {
    return engine.queues();
  }

  @Override
  public List<WorkerHeartbeat> workers() {
    return engine.workers();
  }

  @Override
  public List<DeadLetter> deadLetters(int limit) {
    return engine.deadLetters(limit);
  }

  @Override
  public boolean retryDeadLetter(String deadLetterId) {
    return engine.retryDeadLetter(deadLetterId);
  }

  @Override
  public boolean discardDeadLetter(String deadLetterId) {
    return engine.discardDeadLetter(deadLetterId);
  }

  /**
   * Enqueues arbitrary bytes on the shared queue at priority 0 (the name {@code queue} is only
   * checked, as every task goes to the shared queue): for tests of a consumer's decode-failure
   * path. The bytes are copied.
   *
   * @throws IllegalStateException if the broker is closed
   */
  public void injectRaw(String queue, byte[] body) {
    engine.injectRaw(queue, body);
  }

  /** Enqueues arbitrary bytes on the shared queue; see {@link #injectRaw(String, byte[])}. */
  public void injectRaw(byte[] body) {
    engine.injectRaw(queueName, body);
  }

  /** Settlements ignored because they came second. */
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
