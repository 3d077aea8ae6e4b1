package dev.baton.redis;

import dev.baton.tasks.EventCode;
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
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A broker on Redis Streams with one queue per task name (or routed queue): one stream per queue
 * and priority level, read through one consumer group, so a task stays pending (in the group's
 * pending-entry list) until its delivery is settled.
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li><b>Layout</b>: priorities 0-9 each have their own stream ({@code baton:q:<queue>:<p>}); a
 *       fetch reads the highest non-empty one first, so a waiting task of higher priority is
 *       delivered first (FIFO within one priority).
 *   <li><b>Delivery</b>: each subscription is a consumer of the group. It fetches at most {@code
 *       prefetch} minus its unsettled deliveries, woken by the queue's notify channel, by
 *       settlements, on reconnect and on each reclaim tick, and hands them to its handler one at a
 *       time on a virtual thread.
 *   <li><b>Lease</b>: the pending entry's idle time, measured by the server. A subscription with
 *       room claims entries idle for at least the lease every quarter lease; {@code renewLease}
 *       resets the idle time.
 *   <li><b>Settlement</b>: each of ack, release, requeue and dead-letter is one Lua script that
 *       first checks the entry is still pending for this consumer (a delivery whose lease ran out
 *       and was claimed elsewhere settles nothing, and a WARNING event says so).
 *   <li><b>Delays</b>: a task whose eta is in the future waits in a sorted set on the server, moved
 *       to its stream by whichever broker's mover (every 100 ms) finds it due. No task waits in a
 *       JVM's memory.
 * </ul>
 *
 * <p>The same engine serves {@link RedisSharedQueueBroker}, the shared-queue layout.
 *
 * <h2>Threads and failure</h2>
 *
 * <p>Thread-safe. One command connection and one pub/sub connection per broker; Lettuce reconnects
 * them. A lost connection is reported as a WARNING {@link EventCode#CONNECTION} event and its
 * return as an INFO one, after which every subscription fetches again (notifications sent while it
 * was down are not replayed). Stages of {@link #send}, {@link #revoke} and settlements fail with
 * the server's or the connection's error; after {@link #close()} they fail with {@link
 * IllegalStateException}, and {@link #declare}, {@link #subscribe} and the inspection methods throw
 * it. Synchronous calls wait at most 10 seconds for Redis and then throw {@link
 * IllegalStateException}.
 *
 * <p>Limits of this first cut: a released task goes to the tail of its priority stream (the
 * in-memory broker puts it at the head); delay precision is the mover's 100 ms tick; leases of
 * different brokers on one server share the server's clock, and etas are compared with each
 * broker's own time source.
 */
public final class RedisBroker implements TaskProducer, NamedTaskConsumer, BrokerInspection {

  /** How long a delivery is leased unless renewed: 30 seconds. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /** How long after its last heartbeat a worker is still shown: 30 seconds. */
  public static final Duration DEFAULT_LIVENESS_WINDOW = Duration.ofSeconds(30);

  private final BrokerCore core;

  private RedisBroker(BrokerCore core) {
    this.core = core;
  }

  /**
   * Connects to the Redis server at {@code uri}, with the default lease and liveness window. The
   * URI is {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for TLS
   * with optional query parameters {@code truststore} (a PKCS#12 or JKS file), {@code
   * truststore_password} and {@code verify_peer} ({@code full}, the default, checks the certificate
   * chain and the host name; {@code ca} the chain only); and, as Lettuce reads them, {@code
   * clientName}, {@code database} and {@code timeout} (for connecting; 10 seconds by default).
   *
   * @throws IllegalArgumentException if the URI is malformed, names an unknown parameter or its
   *     trust store cannot be read
   * @throws io.lettuce.core.RedisConnectionException if connecting fails (unreachable, wrong
   *     password, untrusted certificate); the message names the URI, without its password
   */
  public static RedisBroker connect(URI uri, TimeSource time) {
    return connect(uri, time, DEFAULT_LEASE, DEFAULT_LIVENESS_WINDOW);
  }

  /**
   * Connects to the Redis server at {@code uri}.
   *
   * @param time schedules the delay mover and the lease reclaim, and reads etas
   * @param lease how long a delivery stays with its consumer unless settled or renewed, measured as
   *     the pending entry's idle time on the server
   * @param livenessWindow how long after its last heartbeat a worker is shown by {@link #workers()}
   * @throws IllegalArgumentException if a duration is not positive, or the URI is not usable (see
   *     {@link #connect(URI, TimeSource)})
   * @throws io.lettuce.core.RedisConnectionException if connecting fails; see {@link #connect(URI,
   *     TimeSource)}
   */
  public static RedisBroker connect(
      URI uri, TimeSource time, Duration lease, Duration livenessWindow) {
    return new RedisBroker(BrokerCore.connect(uri, time, lease, livenessWindow, null));
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
   * Records {@code queue} in {@code baton:queues}, so inspection lists it and tasks sent to it are
   * kept (streams keep entries whether or not anyone reads them). Idempotent.
   *
   * @throws IllegalArgumentException if {@code queue} is blank
   * @throws IllegalStateException if the broker is closed or Redis does not answer in time
   */
  @Override
  public void declare(String queue) {
    core.declare(queue);
  }

  /**
   * Adds the task to its priority's stream of its queue, or to the queue's delayed set if its eta
   * is later than the time source's now. The stage completes when Redis has executed the write.
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
   * Starts a consumer of {@code queue}'s group; deliveries arrive on a virtual thread of this
   * broker, one at a time.
   *
   * @throws IllegalArgumentException if {@code prefetch} is less than 1 or {@code queue} is blank
   * @throws IllegalStateException if the broker is closed or Redis does not answer in time
   */
  @Override
  public Subscription subscribe(String queue, int prefetch, DeliveryHandler handler) {
    return core.subscribe(queue, prefetch, handler);
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

  /** Every queue in {@code baton:queues} on the server, by name. */
  @Override
  public List<QueueStats> queues() {
    return core.queues();
  }

  /** Workers whose heartbeat key has not expired, by worker id. */
  @Override
  public List<WorkerHeartbeat> workers() {
    return core.workers();
  }

  /**
   * Up to {@code limit} dead letters over every queue, oldest first. Ids are {@code <entry
   * id>@<queue>}.
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  @Override
  public List<DeadLetter> deadLetters(int limit) {
    return core.deadLetters(limit);
  }

  /**
   * Adds the dead letter's body back to its queue as a new entry (delivery count 1, at its original
   * priority) and deletes the dead letter, atomically.
   */
  @Override
  public boolean retryDeadLetter(String deadLetterId) {
    return core.retryDeadLetter(deadLetterId);
  }

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
