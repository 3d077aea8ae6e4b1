package dev.baton.redis;

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
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A Redis broker that keeps every task on one shared queue, whatever {@link TaskEnvelope#queue()}
 * says: the seed's shared-queue layout, where the worker routes by name (releasing, a bounded
 * number of times, or dead-lettering the names it does not serve).
 *
 * <p>Everything else is as in {@link RedisBroker}, whose engine it runs: the shared queue's streams
 * per priority and consumer group, leases as the server's idle time, settlement scripts, delays on
 * the server, dead letters, revocation, heartbeats, events, reconnection, thread-safety and {@link
 * #close()}. Brokers of both layouts may share one server as long as no queue name is used by both.
 * Inspection shows the shared queue only, under {@link #queueName()} (other queues on the server
 * belong to other brokers): its statistics, its dead letters, and retrying or discarding only its
 * own dead letters.
 */
public final class RedisSharedQueueBroker implements TaskProducer, TaskConsumer, BrokerInspection {

  /** The shared queue's name unless one is given. */
  public static final String DEFAULT_QUEUE = "baton.tasks";

  private final String queueName;
  private final BrokerCore core;

  private RedisSharedQueueBroker(String queueName, BrokerCore core) {
    this.queueName = queueName;
    this.core = core;
  }

  /**
   * Connects to the Redis server at {@code uri} (as {@link RedisBroker#connect(URI, TimeSource)}
   * reads it), with queue {@value #DEFAULT_QUEUE}, the default lease and liveness window.
   *
   * @throws IllegalArgumentException if the URI is not usable
   * @throws io.lettuce.core.RedisConnectionException if connecting fails; the message names the
   *     URI, without its password
   */
  public static RedisSharedQueueBroker connect(URI uri, TimeSource time) {
    return connect(
        uri, time, DEFAULT_QUEUE, RedisBroker.DEFAULT_LEASE, RedisBroker.DEFAULT_LIVENESS_WINDOW);
  }

  /**
   * Connects to the Redis server at {@code uri}.
   *
   * @param queueName the shared queue every task goes to
   * @param time schedules the delay mover and the lease reclaim, and reads etas
   * @param lease how long a delivery stays with its consumer unless settled or renewed, measured as
   *     the pending entry's idle time on the server
   * @param livenessWindow how long after its last heartbeat a worker is shown by {@link #workers()}
   * @throws IllegalArgumentException if {@code queueName} is blank, a duration is not positive, or
   *     the URI is not usable
   * @throws io.lettuce.core.RedisConnectionException if connecting fails
   */
  public static RedisSharedQueueBroker connect(
      URI uri, TimeSource time, String queueName, Duration lease, Duration livenessWindow) {
    return new RedisSharedQueueBroker(
        queueName, BrokerCore.connect(uri, time, lease, livenessWindow, queueName));
  }

  /** The shared queue every task goes to. */
  public String queueName() {
    return queueName;
  }

  @Override
  public void attach(AdapterContext context) {
    core.attach(context);
  }

  @Override
  public void detach(AdapterContext context) {
    core.detach(context);
  }

  /**
   * Records the shared queue in {@code baton:queues}; {@code queue} only has to be a valid name.
   * Idempotent.
   *
   * @throws IllegalArgumentException if {@code queue} is blank
   * @throws IllegalStateException if the broker is closed or Redis does not answer in time
   */
  @Override
  public void declare(String queue) {
    core.declare(queue);
  }

  /**
   * Adds the task to its priority's stream of the shared queue, or to the shared queue's delayed
   * set if its eta is later than the time source's now. The stage completes when Redis has executed
   * the write.
   */
  @Override
  public CompletionStage<Void> send(TaskEnvelope task) {
    return core.send(task);
  }

  /**
   * Sets {@code baton:rv:<key>} to expire at {@code until} (measured from the time source's now);
   * nothing is written if {@code until} has passed.
   */
  @Override
  public CompletionStage<Void> revoke(TaskKey key, Instant until) {
    return core.revoke(key, until);
  }

  /**
   * Starts a consumer of the shared queue's group; deliveries arrive on a virtual thread of this
   * broker, one at a time. A task requeued by one of them goes back to the shared queue.
   *
   * @throws IllegalArgumentException if {@code prefetch} is less than 1
   * @throws IllegalStateException if the broker is closed or Redis does not answer in time
   */
  @Override
  public Subscription subscribe(int prefetch, DeliveryHandler handler) {
    return core.subscribe(queueName, prefetch, handler);
  }

  /** {@code EXISTS baton:rv:<key>}; waits at most 10 seconds. */
  @Override
  public boolean isRevoked(TaskKey key) {
    return core.isRevoked(key);
  }

  /**
   * Stores the heartbeat under {@code baton:hb:<worker>} for the liveness window; does not wait (a
   * failure is reported as a WARNING {@code CONNECTION} event).
   */
  @Override
  public void heartbeat(WorkerHeartbeat heartbeat) {
    core.heartbeat(heartbeat);
  }

  /** The shared queue's statistics, the only entry. */
  @Override
  public List<QueueStats> queues() {
    return core.queues();
  }

  /** Workers whose heartbeat key has not expired, by worker id (every worker on the server). */
  @Override
  public List<WorkerHeartbeat> workers() {
    return core.workers();
  }

  /**
   * Up to {@code limit} dead letters of the shared queue, oldest first.
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  @Override
  public List<DeadLetter> deadLetters(int limit) {
    return core.deadLetters(limit);
  }

  /**
   * Adds the dead letter's body back to the shared queue as a new entry (delivery count 1, at its
   * original priority) and deletes the dead letter, atomically; false if there is no such dead
   * letter of the shared queue.
   */
  @Override
  public boolean retryDeadLetter(String deadLetterId) {
    return core.retryDeadLetter(deadLetterId);
  }

  /** Deletes a dead letter of the shared queue; false if there is none of that id. */
  @Override
  public boolean discardDeadLetter(String deadLetterId) {
    return core.discardDeadLetter(deadLetterId);
  }

  /**
   * Stops the timers and subscriptions, and closes the connections. Deliveries not yet settled stay
   * pending in Redis and are claimed by other consumers when their lease runs out. Idempotent.
   */
  @Override
  public void close() {
    core.close();
  }
}
