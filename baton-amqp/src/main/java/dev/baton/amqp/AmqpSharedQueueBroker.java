package dev.baton.amqp;

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
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A RabbitMQ broker that keeps every task on one shared queue, whatever {@link
 * TaskEnvelope#queue()} says: the seed's shared-queue layout, where the worker routes by name.
 *
 * <p>Everything else is {@link AmqpBroker}'s (this class delegates to one that routes every queue
 * to the shared one): publisher confirms, exact delivery counts, client-side leases, delays through
 * the delay cascade, dead letters, revocations, heartbeats, events, thread-safety and {@link
 * #close()}. Its statistics show the one queue, under {@link #queueName()}; {@link #declare}
 * declares that queue whatever name it is given. Dead letters name the shared queue as their queue
 * (their key still names the task).
 */
public final class AmqpSharedQueueBroker implements TaskProducer, TaskConsumer, BrokerInspection {

  /** The shared queue's name unless one is given. */
  public static final String DEFAULT_QUEUE = "tasks";

  private final String queueName;
  private final AmqpBroker core;

  private AmqpSharedQueueBroker(String queueName, AmqpBroker core) {
    this.queueName = queueName;
    this.core = core;
  }

  /**
   * Connects with queue {@value #DEFAULT_QUEUE}, the default lease, liveness window and prefix; see
   * {@link #connect(URI, TimeSource, Duration, Duration, String, String)}.
   */
  public static AmqpSharedQueueBroker connect(URI uri, TimeSource time) {
    return connect(
        uri,
        time,
        AmqpBroker.DEFAULT_LEASE,
        AmqpBroker.DEFAULT_LIVENESS_WINDOW,
        AmqpBroker.DEFAULT_PREFIX,
        DEFAULT_QUEUE);
  }

  /**
   * Connects to the RabbitMQ server at {@code uri}, as {@link AmqpBroker#connect(URI, TimeSource,
   * Duration, Duration, String)} does, with every task on the queue {@code <prefix>.q.<queueName>}.
   *
   * @throws IllegalArgumentException if {@code queueName} or the prefix is blank, a duration is not
   *     positive or the URI is not a valid AMQP URI
   * @throws IllegalStateException if the server cannot be reached or refuses the topology
   */
  public static AmqpSharedQueueBroker connect(
      URI uri,
      TimeSource time,
      Duration lease,
      Duration livenessWindow,
      String prefix,
      String queueName) {
    requireNonNull(queueName, "queueName");
    if (queueName.isBlank()) {
      throw new IllegalArgumentException("queueName must not be blank");
    }
    return new AmqpSharedQueueBroker(
        queueName,
        AmqpBroker.open(
            uri, time, new AmqpBroker.Options(prefix, lease, livenessWindow, false), queueName));
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
   * Declares the shared queue; {@code queue} only has to be a valid name.
   *
   * @throws IllegalArgumentException if {@code queue} is blank
   * @throws IllegalStateException if the broker is closed or RabbitMQ refuses or does not answer
   */
  @Override
  public void declare(String queue) {
    core.declare(queue);
  }

  /** Publishes {@code task} to the shared queue (through the delays if its eta is ahead). */
  @Override
  public CompletionStage<Void> send(TaskEnvelope task) {
    return core.send(task);
  }

  @Override
  public CompletionStage<Void> revoke(TaskKey key, Instant until) {
    return core.revoke(key, until);
  }

  /**
   * Consumes the shared queue on a channel of its own.
   *
   * @throws IllegalArgumentException if {@code prefetch} is less than 1
   * @throws IllegalStateException if the broker is closed or RabbitMQ refuses or does not answer
   */
  @Override
  public Subscription subscribe(int prefetch, DeliveryHandler handler) {
    return core.subscribe(queueName, prefetch, handler);
  }

  @Override
  public boolean isRevoked(TaskKey key) {
    return core.isRevoked(key);
  }

  @Override
  public void heartbeat(WorkerHeartbeat heartbeat) {
    core.heartbeat(heartbeat);
  }

  @Override
  public List<QueueStats> queues() {
    return core.queues();
  }

  @Override
  public List<WorkerHeartbeat> workers() {
    return core.workers();
  }

  @Override
  public List<DeadLetter> deadLetters(int limit) {
    return core.deadLetters(limit);
  }

  @Override
  public boolean retryDeadLetter(String deadLetterId) {
    return core.retryDeadLetter(deadLetterId);
  }

  @Override
  public boolean discardDeadLetter(String deadLetterId) {
    return core.discardDeadLetter(deadLetterId);
  }

  @Override
  public void close() {
    core.close();
  }

  /** The broker doing the work, for tests that clean up. */
  AmqpBroker core() {
    return core;
  }
}
