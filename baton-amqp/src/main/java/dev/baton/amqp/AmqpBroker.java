package dev.baton.amqp;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.AttachedContexts;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.DeliveryHandler;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.EnvelopeDecodeException;
import dev.baton.tasks.spi.NamedTaskConsumer;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.tasks.spi.WorkerHeartbeat;
import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A broker on RabbitMQ: one durable queue per task queue, publisher confirms for every write,
 * manual acknowledgement for every delivery.
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li><b>Layout</b>: see {@link BrokerTopology}. Everything is named under a prefix ({@code
 *       baton} unless given): task queue {@code <prefix>.q.<queue>} (classic, durable, {@code
 *       x-max-priority} 9 if {@link Options#priorityQueues()}), the delay cascade, the dead-letter
 *       exchange and queue, and two streams (revocations and heartbeats).
 *   <li><b>Sending</b>: through the default exchange, persistent, {@code mandatory} (a task no
 *       queue takes fails its stage), with the envelope's priority and the headers {@value
 *       #DELIVERIES} (the delivery count), {@code baton-queue} and, for a task with an eta, {@value
 *       #ETA} (epoch milliseconds), and the W3C {@value #TRACEPARENT} header copied from the
 *       envelope, so tools that read AMQP headers see the trace (the envelope stays what workers
 *       read; copies, next attempts and dead letters keep the header). Every stage completes on the
 *       publisher confirm ({@link ConfirmingPublisher}).
 *   <li><b>Delays</b>: a task whose eta is later than the time source's now goes through the
 *       cascade of per-level TTL queues, which hands it to its task queue after exactly the delay,
 *       on the server's clock. A task that arrives while its eta is still ahead of the consumer's
 *       clock (a delay longer than 2^32 ms, or clocks that disagree) is sent round the cascade
 *       again for the remainder instead of being handed out.
 *   <li><b>Delivery count</b>: classic queues only say whether a message was delivered before
 *       ({@code redelivered}), not how often, so the count travels in {@value #DELIVERIES}: a
 *       release publishes a copy with the count one higher and then acknowledges the original; a
 *       message that arrives redelivered (its consumer's channel closed before settling it) is not
 *       handed out but treated the same way, so the copy arrives with the exact count. A copy goes
 *       to the tail of its queue, not the head.
 *   <li><b>Settlement</b>: each of ack, release, requeue and dead-letter happens once per delivery
 *       (a second one is ignored with a WARNING event); whatever replaces the delivery (the copy,
 *       the next attempt, the dead letter) is confirmed by the broker before the original is
 *       acknowledged on the channel that delivered it, so a crash between the two repeats rather
 *       than loses.
 *   <li><b>Lease</b>: client-side, on the {@link TimeSource}. A delivery not settled or renewed by
 *       its expiry is released (WARNING event) and later settlements of it are ignored. If the
 *       consumer's channel closes first (its connection dropped), the broker requeues the message
 *       itself; such a stale delivery's release publishes nothing (the broker's redelivery counts
 *       it), and its ack cannot reach the broker, so the task comes back (at-least-once).
 *   <li><b>Dead letters</b>: published to the fanout exchange {@code <prefix>.dead} (into {@code
 *       <prefix>.dead-letters}) with the queue, the error and the time as headers and a fresh
 *       message id, the dead letter's id. Inspection browses that queue with {@code basic.get}
 *       without acknowledging, on a channel it then closes, which puts every message back in place;
 *       retry and discard acknowledge just the one found. Inspection calls of one instance take
 *       turns.
 *   <li><b>Revocations</b>: appended to the stream {@code <prefix>.revocations} (kept 7 days),
 *       which each instance that checks or revokes reads whole into a map. {@link #revoke}
 *       completes once this instance's reader has read it, so this instance sees it at once; other
 *       instances see it when their reader gets it, normally milliseconds after. The first {@link
 *       #isRevoked} of an instance waits until its reader has caught up with the stream.
 *   <li><b>Heartbeats</b>: appended to the stream {@code <prefix>.heartbeats} (kept an hour);
 *       {@link #workers()} reads it (from two liveness windows back) up to a sentinel it appends,
 *       so it shows every heartbeat confirmed before the call.
 *   <li><b>Inspection figures</b>: without the management plugin, AMQP cannot list queues or look
 *       inside the shared delay queues, so {@link #queues()} lists the queues this instance
 *       declared or consumed; {@code ready} is the queue's message count; {@code unacked} counts
 *       this instance's unsettled deliveries; {@code delayed} counts the delays this instance
 *       started whose eta has not passed; {@code deadLetters} counts the queue's dead letters by
 *       browsing the dead-letter queue.
 * </ul>
 *
 * <h2>Threads and failure</h2>
 *
 * <p>Thread-safe. One connection per broker, recovered by the client every second after a loss
 * (WARNING {@link EventCode#CONNECTION} event on loss, INFO on recovery); the client reopens the
 * channels and consumers. A consumer channel that the server closes by a channel error (which the
 * client does not recover) is aborted, so the client forgets it, and reopened and consumed again by
 * this broker, with a WARNING event; so is the publishing channel ({@link ConfirmingPublisher}),
 * and a stream reader that stopped is opened anew on its next use. The client calls a
 * subscription's consumer one delivery at a time, on its own threads; the handler runs there.
 * Publisher-confirm stages complete on the connection's thread, so the broker's own code that
 * follows them makes only asynchronous AMQP calls ({@code basic.ack}, publishes); the stages handed
 * out ({@link #send}, {@link #revoke}, settlements) complete on this broker's virtual threads, so
 * callers may chain blocking work on them. Blocking calls run on the caller's thread or on those
 * virtual threads, never on the time source's thread (lease expiries and the revocation reader's
 * first opening are handed to them). Stages fail with the broker's or the connection's error; after
 * {@link #close()} they fail with {@link IllegalStateException}, and {@link #declare}, {@link
 * #subscribe}, {@link #isRevoked} and the inspection methods throw it. Synchronous calls wait at
 * most 10 seconds. A settlement whose replacement (copy, next attempt, dead letter) cannot be
 * stored fails its stage and gives the original back to its queue ({@code basic.nack}), which then
 * comes back counted once more.
 *
 * <p>RabbitMQ's {@code consumer_timeout} (30 minutes by default) closes a consumer's channel when a
 * delivery stays unacknowledged longer, however often its lease is renewed: the task is delivered
 * again and the broker emits an ERROR event. Set {@code consumer_timeout} in {@code rabbitmq.conf}
 * above the longest task (a per-queue {@code x-consumer-timeout} exists only from RabbitMQ 3.12).
 *
 * <p>Locks: {@code lock} guards the broker's own state ({@code closed}, the known queues, the
 * subscriptions, the delays started) and is never held across an AMQP call or an event; {@code
 * logs} guards the lazily opened stream readers and is held while a new one catches up (bounded);
 * {@code inspecting} makes browsing the dead-letter queue take turns. A subscription guards its
 * channel and cancel state with its own monitor; a delivery's settlement is decided once by an
 * atomic flag, so a settlement, a lease expiry and a second settlement can race safely. A cancelled
 * subscription closes its channel only after the server's cancel-ok, the settlement of every
 * delivery handed out and the acknowledgement of every message given back, so nothing it took is
 * both given back and requeued by the server.
 *
 * <p>Limits: a task delayed to a queue that does not exist when its delay ends is routed, by the
 * deliver exchange's alternate exchange, to the dead letters. Revocations older than the stream's
 * retention (7 days) are forgotten. A delayed task is late by the time of its hops (one quorum
 * commit each, at most 32): milliseconds on an idle server, some hundred on a loaded one. {@link
 * #queues()} browses the dead-letter queue to count dead letters per queue, at most the first
 * 10,000 (with more, the counts are at least those shown), and two inspectors browsing at once each
 * see fewer; retry and discard look again for about 2 seconds before answering that a dead letter
 * is gone. Dead-letter error messages are cut to 4,096 characters (headers must fit one frame).
 */
public final class AmqpBroker implements TaskProducer, NamedTaskConsumer, BrokerInspection {

  /** How long a delivery is leased unless renewed: 30 seconds. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /** How long after its last heartbeat a worker is still shown: 30 seconds. */
  public static final Duration DEFAULT_LIVENESS_WINDOW = Duration.ofSeconds(30);

  /** The prefix of every name on the server unless another is given. */
  public static final String DEFAULT_PREFIX = "baton";

  static final String DELIVERIES = "x-baton-deliveries";
  static final String ETA = "x-baton-eta";
  static final String ERROR_CODE = "x-baton-error-code";
  static final String ERROR_MESSAGE = "x-baton-error-message";
  static final String DEAD_AT = "x-baton-dead-at";

  /** The W3C Trace Context header name, as HTTP and the OpenTelemetry AMQP conventions use it. */
  static final String TRACEPARENT = "traceparent";

  private static final String REVOKED_NAME = "baton-name";
  private static final String REVOKED_ID = "baton-id";
  private static final String REVOKED_UNTIL = "baton-until";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int DEAD_LETTER_COUNT_LIMIT = 10_000;
  static final int MAX_ERROR_MESSAGE_CHARS = 4_096;
  private static final int DEAD_LETTER_RESCANS = 3;
  private static final Duration RESCAN_PAUSE = Duration.ofMillis(300);

  private final Connection connection;
  private final ConfirmingPublisher publisher;
  private final BrokerTopology names;
  private final TimeSource time;
  private final Duration lease;
  private final Duration livenessWindow;
  private final AttachedContexts events;
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("baton-amqp-broker-", 0).factory());
  private final AtomicBoolean disconnected = new AtomicBoolean();
  private final Map<TaskKey, Instant> revoked = new ConcurrentHashMap<>();
  private final Map<String, WorkerHeartbeat> heartbeats = new ConcurrentHashMap<>();

  /** Queues a task with a priority was sent to without priority queues (warned once each). */
  private final Set<String> unprioritised = ConcurrentHashMap.newKeySet();

  private final ReentrantLock inspecting = new ReentrantLock();
  private final Object logs = new Object();
  private final Object lock = new Object();

  @GuardedBy("lock")
  private boolean closed;

  @GuardedBy("lock")
  private final Set<String> known = new TreeSet<>();

  @GuardedBy("lock")
  private final List<Sub> subscriptions = new ArrayList<>();

  /** Etas of the delays this instance started, per queue, for {@link QueueStats#delayed()}. */
  @GuardedBy("lock")
  private final Map<String, PriorityQueue<Instant>> delays = new HashMap<>();

  @GuardedBy("logs")
  private @Nullable StreamLog revocationLog;

  @GuardedBy("logs")
  private @Nullable StreamLog heartbeatLog;

  /**
   * The one queue every task goes to ({@link AmqpSharedQueueBroker}), or null for one per queue.
   */
  private final @Nullable String sharedQueue;

  private AmqpBroker(
      Connection connection,
      AttachedContexts events,
      ConfirmingPublisher publisher,
      BrokerTopology names,
      TimeSource time,
      Duration lease,
      Duration livenessWindow,
      @Nullable String sharedQueue) {
    this.connection = connection;
    this.events = events;
    this.sharedQueue = sharedQueue;
    this.publisher = publisher;
    this.names = names;
    this.time = time;
    this.lease = lease;
    this.livenessWindow = livenessWindow;
  }

  /**
   * Connects to the RabbitMQ server at {@code uri} (see {@link #connect(URI, TimeSource, Duration,
   * Duration, String)}) with the default lease, liveness window and prefix.
   */
  public static AmqpBroker connect(URI uri, TimeSource time) {
    return connect(uri, time, DEFAULT_LEASE, DEFAULT_LIVENESS_WINDOW);
  }

  /**
   * Connects with the default prefix; see {@link #connect(URI, TimeSource, Duration, Duration,
   * String)}.
   */
  public static AmqpBroker connect(
      URI uri, TimeSource time, Duration lease, Duration livenessWindow) {
    return connect(uri, time, lease, livenessWindow, DEFAULT_PREFIX);
  }

  /**
   * Connects to the RabbitMQ server at {@code uri} ({@code amqp://user:password@host:port/vhost},
   * or {@code amqps://} for TLS) and declares the broker's fixed topology under {@code prefix}.
   *
   * @param time schedules lease expiries, measures delays and reads etas
   * @param lease how long a delivery stays with its consumer unless settled or renewed
   * @param livenessWindow how long after its last heartbeat a worker is shown by {@link #workers()}
   * @param prefix the start of every queue and exchange name; brokers that share one see each
   *     other's tasks
   * @throws IllegalArgumentException if a duration is not positive, the prefix is blank or the URI
   *     is not a valid AMQP URI
   * @throws IllegalStateException if the server cannot be reached or refuses the topology
   */
  public static AmqpBroker connect(
      URI uri, TimeSource time, Duration lease, Duration livenessWindow, String prefix) {
    return connect(uri, time, new Options(prefix, lease, livenessWindow, false));
  }

  /**
   * Connects to the RabbitMQ server at {@code uri} ({@code amqp://user:password@host:port/vhost},
   * or {@code amqps://} for TLS) with {@code options}, and declares the broker's fixed topology.
   *
   * @throws IllegalArgumentException if the URI is not a valid AMQP URI
   * @throws IllegalStateException if the server cannot be reached or refuses the topology
   */
  public static AmqpBroker connect(URI uri, TimeSource time, Options options) {
    return open(uri, time, options, null);
  }

  /**
   * A broker's settings.
   *
   * @param prefix the start of every queue and exchange name; brokers that share one see each
   *     other's tasks
   * @param lease how long a delivery stays with its consumer unless settled or renewed
   * @param livenessWindow how long after its last heartbeat a worker is shown by {@link
   *     AmqpBroker#workers()}
   * @param priorityQueues whether task queues are priority queues ({@code x-max-priority} 9), so a
   *     task of higher {@link dev.baton.tasks.TaskOptions#priority()} is delivered first. Off by
   *     default: RabbitMQ spends much more per message on a priority queue (in the remote-task
   *     benchmark, 443 against 257 µs of its CPU per task), and most queues never use priorities.
   *     Without them priorities are ignored (a WARNING event says so once per queue). Every broker
   *     of a prefix must agree: RabbitMQ refuses to declare an existing queue with other arguments.
   */
  public record Options(
      String prefix, Duration lease, Duration livenessWindow, boolean priorityQueues) {

    /** Prefix {@code baton}, a 30-second lease and liveness window, no priority queues. */
    public static final Options DEFAULTS =
        new Options(DEFAULT_PREFIX, DEFAULT_LEASE, DEFAULT_LIVENESS_WINDOW, false);

    /** Checks the settings. */
    public Options {
      requireNonNull(prefix, "prefix");
      requireNonNull(lease, "lease");
      requireNonNull(livenessWindow, "livenessWindow");
      if (lease.isNegative()
          || lease.isZero()
          || livenessWindow.isNegative()
          || livenessWindow.isZero()) {
        throw new IllegalArgumentException("lease and liveness window must be positive");
      }
      if (prefix.isBlank()) {
        throw new IllegalArgumentException("prefix must not be blank");
      }
    }

    /** These options with {@code prefix}. */
    public Options withPrefix(String prefix) {
      return new Options(prefix, lease, livenessWindow, priorityQueues);
    }

    /** These options with priority queues on or off. */
    public Options withPriorityQueues(boolean priorityQueues) {
      return new Options(prefix, lease, livenessWindow, priorityQueues);
    }
  }

  /**
   * Connects as {@link #connect(URI, TimeSource, Duration, Duration, String)} does; with a {@code
   * sharedQueue}, every task goes to that one queue whatever its own queue is (the shared-queue
   * layout of {@link AmqpSharedQueueBroker}).
   */
  static AmqpBroker open(URI uri, TimeSource time, Options options, @Nullable String sharedQueue) {
    requireNonNull(uri, "uri");
    requireNonNull(time, "time");
    requireNonNull(options, "options");
    ConnectionFactory factory = AmqpConnections.factory(uri);
    BrokerTopology names = new BrokerTopology(options.prefix(), options.priorityQueues());
    factory.setTopologyRecoveryFilter(names.recoveryFilter());
    Connection connection;
    try {
      connection = factory.newConnection("baton-broker-" + UUID.randomUUID());
    } catch (IOException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot connect to RabbitMQ at " + AmqpConnections.redact(uri) + ": " + describe(e), e);
    }
    try {
      AttachedContexts events = new AttachedContexts();
      ConfirmingPublisher publisher =
          new ConfirmingPublisher(
              connection,
              "broker",
              why -> events.emit(EventLevel.WARNING, EventCode.CONNECTION, why, null, null));
      AmqpBroker broker =
          new AmqpBroker(
              connection,
              events,
              publisher,
              names,
              time,
              options.lease(),
              options.livenessWindow(),
              sharedQueue);
      broker.start();
      return broker;
    } catch (IOException | RuntimeException e) {
      try {
        connection.abort();
      } catch (RuntimeException ignored) {
        // already failing
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(
          "RabbitMQ at " + AmqpConnections.redact(uri) + " refused the setup: " + describe(e), e);
    }
  }

  private void start() {
    declareTopology(List.of());
    connection.addShutdownListener(
        cause -> {
          if (cause.isInitiatedByApplication() || isClosed()) {
            return;
          }
          if (disconnected.compareAndSet(false, true)) {
            events.emit(
                EventLevel.WARNING,
                EventCode.CONNECTION,
                "RabbitMQ broker lost its connection (" + cause.getMessage() + "); reconnecting",
                null,
                null);
          }
        });
    if (connection instanceof Recoverable recoverable) {
      recoverable.addRecoveryListener(
          new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recovered) {
              redeclareLater();
              if (disconnected.compareAndSet(true, false)) {
                events.emit(
                    EventLevel.INFO,
                    EventCode.CONNECTION,
                    "RabbitMQ broker reconnected",
                    null,
                    null);
              }
            }

            @Override
            public void handleRecoveryStarted(Recoverable recovering) {}
          });
    }
  }

  /** The fixed topology and {@code taskQueues}, on a channel of its own. */
  private void declareTopology(List<String> taskQueues) {
    withChannel(
        channel -> {
          names.declareFixed(channel);
          names.declareRevocations(channel);
          names.declareHeartbeats(channel);
          for (String queue : taskQueues) {
            names.declareTaskQueue(channel, queue);
          }
          return null;
        });
  }

  /**
   * After a reconnect, declares the fixed topology and this instance's task queues again (the
   * client's own recovery leaves them out, see {@link BrokerTopology#recoveryFilter()}), so a
   * server that lost its definitions gets them back. On a virtual thread: the client's recovery
   * thread must not block.
   */
  private void redeclareLater() {
    try {
      executor.execute(
          () -> {
            if (isClosed()) {
              return;
            }
            List<String> queues;
            synchronized (lock) {
              queues = new ArrayList<>(known);
            }
            try {
              declareTopology(queues);
            } catch (RuntimeException e) {
              if (!isClosed()) {
                events.emit(
                    EventLevel.WARNING,
                    EventCode.CONNECTION,
                    "RabbitMQ broker could not declare its queues again after reconnecting: "
                        + describe(e),
                    null,
                    e);
              }
            }
          });
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  @Override
  public void attach(AdapterContext context) {
    events.attach(context);
  }

  @Override
  public void detach(AdapterContext context) {
    events.detach(context);
  }

  // ---- producer ----

  /**
   * Declares the task queue {@code <prefix>.q.<queue>} and binds it to the deliver exchange, so
   * tasks sent or delayed to it are kept. Idempotent.
   *
   * @throws IllegalArgumentException if {@code queue} is blank
   * @throws IllegalStateException if the broker is closed or RabbitMQ refuses or does not answer
   */
  @Override
  public void declare(String queue) {
    requireQueue(queue);
    checkOpen();
    String target = route(queue);
    withChannel(
        channel -> {
          names.declareTaskQueue(channel, target);
          return null;
        });
    synchronized (lock) {
      known.add(target);
    }
  }

  /**
   * Publishes the task to its queue, or into the delay cascade if its eta is later than the time
   * source's now. The stage completes on the broker's confirm; it fails if no queue takes the task
   * (declare the queue first).
   */
  @Override
  public CompletionStage<Void> send(TaskEnvelope task) {
    requireNonNull(task, "task");
    if (isClosed()) {
      return CompletableFuture.failedStage(closedException());
    }
    byte[] body;
    try {
      body = EnvelopeCodec.encode(task);
    } catch (RuntimeException e) {
      return CompletableFuture.failedStage(e);
    }
    if (task.priority() > 0 && !names.priorityQueues() && unprioritised.add(task.queue())) {
      events.emit(
          EventLevel.WARNING,
          EventCode.GENERIC,
          "task "
              + task.key()
              + " has priority "
              + task.priority()
              + " but queue '"
              + task.queue()
              + "' is not a priority queue, so priorities are ignored on it; connect every"
              + " broker with Options.withPriorityQueues(true) to use them",
          task.key(),
          null);
    }
    return handOut(
        publishTask(task.queue(), body, priority(task), 1, task.eta(), task.traceparent()));
  }

  /**
   * Appends the revocation to the revocation stream; the stage completes once this instance has
   * read it back. Nothing is written if {@code until} has passed.
   */
  @Override
  public CompletionStage<Void> revoke(TaskKey key, Instant until) {
    requireNonNull(key, "key");
    requireNonNull(until, "until");
    if (isClosed()) {
      return CompletableFuture.failedStage(closedException());
    }
    if (!until.isAfter(time.now())) {
      return CompletableFuture.completedStage(null);
    }
    // opening the reader blocks (up to 10 s on its first use), and the engine revokes from the
    // time source's thread when a deadline passes: that must not wait here
    CompletableFuture<StreamLog> log;
    try {
      log = CompletableFuture.supplyAsync(this::revocations, executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedStage(closedException());
    }
    return handOut(log.thenCompose(opened -> appendRevocation(opened, key, until)));
  }

  private CompletableFuture<Void> appendRevocation(StreamLog log, TaskKey key, Instant until) {
    String id = UUID.randomUUID().toString();
    CompletableFuture<Void> read = log.awaitRead(id);
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .deliveryMode(2)
            .messageId(id)
            .headers(
                Map.of(
                    REVOKED_NAME,
                    key.name(),
                    REVOKED_ID,
                    key.id(),
                    REVOKED_UNTIL,
                    until.toEpochMilli()))
            .build();
    return publisher
        .publish("", names.revocations(), true, properties, new byte[0])
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                log.forget(id);
              }
            })
        .thenCompose(v -> read.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
  }

  // ---- consumer ----

  /**
   * Declares {@code queue} and consumes it on a channel of its own with {@code
   * basic.qos(prefetch)}; deliveries arrive on the client's consumer thread, one at a time.
   *
   * @throws IllegalArgumentException if {@code prefetch} is less than 1 or {@code queue} is blank
   * @throws IllegalStateException if the broker is closed or RabbitMQ refuses or does not answer
   */
  @Override
  public Subscription subscribe(String queue, int prefetch, DeliveryHandler handler) {
    requireQueue(queue);
    requireNonNull(handler, "handler");
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch must be at least 1, got " + prefetch);
    }
    Sub sub = new Sub(route(queue), prefetch, handler);
    synchronized (lock) {
      if (closed) {
        throw closedException();
      }
      known.add(sub.queue);
      subscriptions.add(sub);
    }
    try {
      sub.open();
    } catch (IOException | RuntimeException e) {
      sub.cancel();
      throw new IllegalStateException("cannot consume " + queue + ": " + describe(e), e);
    }
    return sub;
  }

  /**
   * Looks {@code key} up in the revocations read from the stream; the first call of an instance
   * waits (at most 10 seconds) until it has read the stream to its end.
   */
  @Override
  public boolean isRevoked(TaskKey key) {
    requireNonNull(key, "key");
    checkOpen();
    var _ = revocations();
    Instant until = revoked.get(key);
    if (until == null) {
      return false;
    }
    if (!until.isAfter(time.now())) {
      revoked.remove(key, until); // passed: forget it
      return false;
    }
    return true;
  }

  /**
   * Appends the heartbeat to the heartbeat stream; does not wait (a failure is reported as a
   * WARNING {@code CONNECTION} event).
   */
  @Override
  public void heartbeat(WorkerHeartbeat heartbeat) {
    requireNonNull(heartbeat, "heartbeat");
    if (isClosed()) {
      return;
    }
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .deliveryMode(2)
            .messageId(UUID.randomUUID().toString())
            .build();
    byte[] body = EnvelopeCodec.encode(heartbeat);
    try {
      // called on the time source's shared thread: a publish can block (flow control, a full
      // socket), so it runs on a virtual thread
      executor.execute(() -> storeHeartbeat(heartbeat, properties, body));
    } catch (RejectedExecutionException e) {
      // closing: no more heartbeats
    }
  }

  private void storeHeartbeat(
      WorkerHeartbeat heartbeat, AMQP.BasicProperties properties, byte[] body) {
    var _ =
        publisher
            .publish("", names.heartbeats(), true, properties, body)
            .whenComplete(
                (v, e) -> {
                  if (e != null && !isClosed()) {
                    events.emit(
                        EventLevel.WARNING,
                        EventCode.CONNECTION,
                        "heartbeat of " + heartbeat.workerId() + " not stored: " + e.getMessage(),
                        null,
                        e);
                  }
                });
  }

  // ---- inspection ----

  /**
   * The queues this instance declared or consumed, by name; see the class comment for what each
   * figure covers.
   */
  @Override
  public List<QueueStats> queues() {
    checkOpen();
    List<String> queues;
    List<Sub> subs;
    Map<String, Long> delayed = new HashMap<>();
    Instant now = time.now();
    synchronized (lock) {
      queues = new ArrayList<>(known);
      subs = new ArrayList<>(subscriptions);
      for (Map.Entry<String, PriorityQueue<Instant>> entry : delays.entrySet()) {
        dropPassed(entry.getValue(), now);
        delayed.put(entry.getKey(), (long) entry.getValue().size());
      }
      delays.values().removeIf(PriorityQueue::isEmpty);
    }
    Map<String, Long> dead = new HashMap<>();
    for (DeadLetter letter : browseDeadLetters(DEAD_LETTER_COUNT_LIMIT)) {
      dead.merge(letter.queue(), 1L, Long::sum);
    }
    Map<String, Long> readyCounts = readyCounts(queues);
    List<QueueStats> stats = new ArrayList<>();
    for (String queue : queues) {
      Long ready = readyCounts.get(queue);
      if (ready == null) {
        synchronized (lock) {
          known.remove(queue); // deleted on the server since
        }
        continue;
      }
      long unacked = 0;
      for (Sub sub : subs) {
        if (sub.queue.equals(queue)) {
          unacked += sub.unsettled.size();
        }
      }
      stats.add(
          new QueueStats(
              queue,
              ready,
              delayed.getOrDefault(queue, 0L),
              unacked,
              dead.getOrDefault(queue, 0L)));
    }
    return stats;
  }

  /**
   * Each queue's message count, absent for a queue that does not exist; one channel serves them
   * all, a new one only after a queue that is not there (a 404 closes the channel).
   */
  private Map<String, Long> readyCounts(List<String> queues) {
    Map<String, Long> counts = new HashMap<>();
    int next = 0;
    while (next < queues.size()) {
      int from = next;
      int[] done = {from};
      try {
        withChannel(
            channel -> {
              for (int i = from; i < queues.size(); i++) {
                String queue = queues.get(i);
                counts.put(
                    queue,
                    (long) channel.queueDeclarePassive(names.taskQueue(queue)).getMessageCount());
                done[0] = i + 1;
              }
              return null;
            });
        next = queues.size();
      } catch (IllegalStateException e) {
        if (!notFound(e)) {
          throw e;
        }
        next = done[0] + 1; // queues.get(done[0]) is gone
      }
    }
    return counts;
  }

  /**
   * Whether {@code cause} is the server's {@code consumer_timeout}: a channel closed with 406
   * because a delivery stayed unacknowledged too long.
   */
  static boolean consumerTimedOut(ShutdownSignalException cause) {
    return !cause.isHardError()
        && cause.getReason() instanceof AMQP.Channel.Close close
        && close.getReplyCode() == AMQP.PRECONDITION_FAILED
        && close.getReplyText() != null
        && close.getReplyText().contains("delivery acknowledgement")
        && close.getReplyText().contains("timed out");
  }

  private static boolean notFound(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ShutdownSignalException signal
          && signal.getReason() instanceof AMQP.Channel.Close close
          && close.getReplyCode() == AMQP.NOT_FOUND) {
        return true;
      }
    }
    return false;
  }

  /**
   * The latest heartbeat of each worker within the liveness window, by worker id, after reading the
   * heartbeat stream up to a sentinel appended now.
   */
  @Override
  public List<WorkerHeartbeat> workers() {
    checkOpen();
    StreamLog log = heartbeatLog();
    log.barrier(publisher, TIMEOUT);
    Instant since = time.now().minus(livenessWindow);
    heartbeats.values().removeIf(h -> h.at().isBefore(since));
    List<WorkerHeartbeat> workers = new ArrayList<>(heartbeats.values());
    workers.sort(Comparator.comparing(WorkerHeartbeat::workerId));
    return workers;
  }

  /**
   * Up to {@code limit} dead letters, oldest first, browsed from the dead-letter queue without
   * removing them. Ids are the dead letters' message ids.
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  @Override
  public List<DeadLetter> deadLetters(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    checkOpen();
    if (limit == 0) {
      return new ArrayList<>();
    }
    List<DeadLetter> letters = browseDeadLetters(limit);
    letters.sort(Comparator.comparing(DeadLetter::at));
    return letters;
  }

  /**
   * Publishes the dead letter's body to its queue as a fresh delivery (count 1, its original
   * priority) and, once the broker has confirmed that, removes the dead letter.
   */
  @Override
  public boolean retryDeadLetter(String deadLetterId) {
    requireNonNull(deadLetterId, "deadLetterId");
    checkOpen();
    return settleDeadLetter(
        deadLetterId,
        (channel, found) -> {
          DeadLetter letter = deadLetter(found);
          int priority =
              found.getProps().getPriority() == null ? 0 : found.getProps().getPriority();
          try {
            await(
                publishTask(
                    letter.queue(),
                    letter.body(),
                    priority,
                    1,
                    null,
                    traceparentOf(found.getProps())));
          } catch (IllegalStateException e) {
            if (e.getCause() instanceof AmqpPublishException refused && refused.unroutable()) {
              throw new IllegalStateException(
                  "cannot retry dead letter "
                      + deadLetterId
                      + ": its queue "
                      + letter.queue()
                      + " does not exist; declare it (or start a worker that consumes it) and"
                      + " retry again",
                  e);
            }
            throw e;
          }
          channel.basicAck(found.getEnvelope().getDeliveryTag(), false);
        });
  }

  @Override
  public boolean discardDeadLetter(String deadLetterId) {
    requireNonNull(deadLetterId, "deadLetterId");
    checkOpen();
    return settleDeadLetter(
        deadLetterId,
        (channel, found) -> channel.basicAck(found.getEnvelope().getDeliveryTag(), false));
  }

  /**
   * Stops the subscriptions and readers and closes the connection. Deliveries not yet settled go
   * back to their queues (the broker requeues them and the next consumer counts them as delivered
   * again). Idempotent.
   */
  @Override
  public void close() {
    List<Sub> subs;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      subs = new ArrayList<>(subscriptions);
      subscriptions.clear();
    }
    for (Sub sub : subs) {
      sub.stop();
    }
    synchronized (logs) {
      if (revocationLog != null) {
        revocationLog.close();
      }
      if (heartbeatLog != null) {
        heartbeatLog.close();
      }
    }
    publisher.close();
    executor.shutdown();
    try {
      connection.close((int) TIMEOUT.toMillis());
    } catch (IOException | RuntimeException e) {
      connection.abort();
    }
  }

  // ---- publishing ----

  /**
   * Publishes a task message to {@code queue}: into the delay cascade when {@code eta} is later
   * than now, else straight to its queue.
   */
  private CompletableFuture<Void> publishTask(
      String taskQueue,
      byte[] body,
      int priority,
      int deliveries,
      @Nullable Instant eta,
      @Nullable String traceparent) {
    String queue = route(taskQueue);
    Map<String, Object> headers = new HashMap<>();
    headers.put(DELIVERIES, deliveries);
    headers.put(BrokerTopology.QUEUE_HEADER, queue);
    if (traceparent != null) {
      headers.put(TRACEPARENT, traceparent);
    }
    long delay = 0;
    if (eta != null) {
      headers.put(ETA, eta.toEpochMilli());
      delay = eta.toEpochMilli() - time.now().toEpochMilli();
    }
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .deliveryMode(2)
            .priority(priority)
            .messageId(UUID.randomUUID().toString())
            .contentType("application/octet-stream")
            .headers(headers)
            .build();
    if (delay > 0) {
      long d = Math.min(delay, BrokerTopology.MAX_DELAY_MILLIS);
      synchronized (lock) {
        PriorityQueue<Instant> etas = delays.computeIfAbsent(queue, q -> new PriorityQueue<>());
        dropPassed(etas, time.now()); // so a producer that is never inspected does not pile up
        etas.add(requireNonNull(eta));
      }
      return publisher.publish(
          names.delayLevel(BrokerTopology.entryLevel(d)),
          BrokerTopology.routingKey(d),
          true,
          properties,
          body);
    }
    return publisher.publish("", names.taskQueue(queue), true, properties, body);
  }

  /**
   * {@code message} cut to {@value #MAX_ERROR_MESSAGE_CHARS} characters: headers travel in one
   * frame, and one longer than the frame limit could not be published at all.
   */
  static String truncate(String message) {
    if (message.length() <= MAX_ERROR_MESSAGE_CHARS) {
      return message;
    }
    return message.substring(0, MAX_ERROR_MESSAGE_CHARS) + "... (truncated)";
  }

  private static void dropPassed(PriorityQueue<Instant> etas, Instant now) {
    while (!etas.isEmpty() && !etas.peek().isAfter(now)) {
      etas.poll();
    }
  }

  /** Where tasks of {@code queue} go: the queue itself, or the shared queue. */
  private String route(String queue) {
    return sharedQueue == null ? queue : sharedQueue;
  }

  private CompletableFuture<Void> publishDeadLetter(
      String queue, byte[] body, int priority, TaskError error, @Nullable String traceparent) {
    Map<String, Object> headers = new HashMap<>();
    headers.put(BrokerTopology.QUEUE_HEADER, queue);
    if (traceparent != null) {
      headers.put(TRACEPARENT, traceparent);
    }
    headers.put(ERROR_CODE, error.code().name());
    headers.put(ERROR_MESSAGE, truncate(error.message()));
    headers.put(DEAD_AT, time.now().toEpochMilli());
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .deliveryMode(2)
            .priority(priority)
            .messageId(UUID.randomUUID().toString())
            .contentType("application/octet-stream")
            .headers(headers)
            .build();
    return publisher.publish(names.deadExchange(), "", true, properties, body);
  }

  // ---- streams ----

  /**
   * The revocation reader, opened (and read to the stream's end) on first use, and opened anew if
   * it stopped. Blocks: never call it on the time source's or the client's threads.
   */
  private StreamLog revocations() {
    synchronized (logs) {
      if (revocationLog != null && revocationLog.isBroken()) {
        revocationLog.close();
        revocationLog = null;
      }
      if (revocationLog == null) {
        StreamLog log = openLog(names.revocations(), "first", this::readRevocation);
        try {
          log.barrier(publisher, TIMEOUT);
        } catch (RuntimeException e) {
          log.close(); // else every later call would leave another reader behind
          throw e;
        }
        revocationLog = log;
      }
      return revocationLog;
    }
  }

  private StreamLog heartbeatLog() {
    synchronized (logs) {
      if (heartbeatLog != null && heartbeatLog.isBroken()) {
        heartbeatLog.close();
        heartbeatLog = null;
      }
      if (heartbeatLog == null) {
        // x-stream-offset takes an AMQP timestamp, which the client writes from a java.util.Date
        @SuppressWarnings("JavaUtilDate")
        Date from = new Date(System.currentTimeMillis() - 2 * livenessWindow.toMillis());
        heartbeatLog = openLog(names.heartbeats(), from, this::readHeartbeat);
      }
      return heartbeatLog;
    }
  }

  private StreamLog openLog(String stream, Object offset, StreamLog.Reader reader) {
    checkOpen();
    try {
      return new StreamLog(connection, stream, offset, reader);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read " + stream + ": " + describe(e), e);
    }
  }

  private void readRevocation(AMQP.BasicProperties properties, byte[] body) {
    Map<String, Object> headers = properties.getHeaders();
    if (headers == null) {
      return;
    }
    Object name = headers.get(REVOKED_NAME);
    Object id = headers.get(REVOKED_ID);
    Object until = headers.get(REVOKED_UNTIL);
    if (name == null
        || id == null
        || !(until instanceof Number millis)
        || millis.longValue() <= time.now().toEpochMilli()) {
      return; // not one of ours, or passed
    }
    revoked.merge(
        new TaskKey(name.toString(), id.toString()),
        Instant.ofEpochMilli(millis.longValue()),
        (a, b) -> a.isAfter(b) ? a : b);
  }

  private void readHeartbeat(AMQP.BasicProperties properties, byte[] body) {
    WorkerHeartbeat heartbeat;
    try {
      heartbeat = EnvelopeCodec.decodeHeartbeat(body);
    } catch (EnvelopeDecodeException e) {
      return; // not one of ours; the stream is shared by every broker of the prefix
    }
    heartbeats.merge(heartbeat.workerId(), heartbeat, (a, b) -> a.at().isAfter(b.at()) ? a : b);
  }

  // ---- dead letters ----

  @FunctionalInterface
  private interface DeadLetterAction {
    void apply(Channel channel, GetResponse found) throws IOException;
  }

  /** Browses the dead-letter queue, putting everything back when the channel closes. */
  private List<DeadLetter> browseDeadLetters(int limit) {
    inspecting.lock();
    try {
      return withChannel(
          channel -> {
            List<DeadLetter> letters = new ArrayList<>();
            while (letters.size() < limit) {
              GetResponse got = channel.basicGet(names.deadQueue(), false);
              if (got == null) {
                break;
              }
              letters.add(deadLetter(got));
            }
            return letters;
          });
    } finally {
      inspecting.unlock();
    }
  }

  /**
   * Finds the dead letter {@code id} and applies {@code action} to it. A dead letter another
   * inspector holds while it browses is invisible until it closes its channel, so a scan that does
   * not find it is repeated a few times (about 2 seconds in all) before the answer is "gone".
   */
  private boolean settleDeadLetter(String id, DeadLetterAction action) {
    for (int attempt = 0; ; attempt++) {
      if (scanDeadLetters(id, action)) {
        return true;
      }
      if (attempt == DEAD_LETTER_RESCANS) {
        return false;
      }
      try {
        Thread.sleep(RESCAN_PAUSE.toMillis() * (attempt + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while looking for dead letter " + id, e);
      }
    }
  }

  private boolean scanDeadLetters(String id, DeadLetterAction action) {
    inspecting.lock();
    try {
      return withChannel(
          channel -> {
            while (true) {
              GetResponse got = channel.basicGet(names.deadQueue(), false);
              if (got == null) {
                return false;
              }
              if (id.equals(got.getProps().getMessageId())) {
                action.apply(channel, got);
                return true;
              }
            }
          });
    } finally {
      inspecting.unlock();
    }
  }

  private static DeadLetter deadLetter(GetResponse got) {
    AMQP.BasicProperties properties = got.getProps();
    Map<String, Object> headers = properties.getHeaders();
    if (headers == null) {
      headers = Map.of();
    }
    byte[] body = got.getBody() == null ? new byte[0] : got.getBody();
    Object queue = headers.get(BrokerTopology.QUEUE_HEADER);
    Object code = headers.get(ERROR_CODE);
    Object message = headers.get(ERROR_MESSAGE);
    Object at = headers.get(DEAD_AT);
    TaskError error;
    if (code == null) {
      error =
          new TaskError(
              ErrorCode.GENERIC,
              "no queue " + queue + " took the task when its delay ended (it was not declared)");
    } else {
      ErrorCode errorCode;
      try {
        errorCode = ErrorCode.valueOf(code.toString());
      } catch (IllegalArgumentException e) {
        errorCode = ErrorCode.GENERIC;
      }
      error = new TaskError(errorCode, message == null ? "" : message.toString());
    }
    Instant when =
        at instanceof Number n
            ? Instant.ofEpochMilli(n.longValue())
            : properties.getTimestamp() == null
                ? Instant.EPOCH
                : properties.getTimestamp().toInstant();
    String id = properties.getMessageId();
    return new DeadLetter(
        id == null ? "" : id,
        queue == null ? "" : queue.toString(),
        EnvelopeCodec.peekKey(body),
        error,
        when,
        body);
  }

  // ---- subscriptions and deliveries ----

  /**
   * One consumer of a task queue on its own channel. {@code channel} and {@code cancelled} are
   * guarded by the object's monitor; {@code unsettled} is a concurrent set (added to on the
   * consumer thread, removed from wherever a delivery is settled); {@code generation} counts the
   * channel's recoveries and reopenings, so a delivery can tell it came from an earlier one.
   */
  private final class Sub implements Subscription {
    final String queue;
    final int prefetch;
    final DeliveryHandler handler;
    final Set<AmqpDelivery> unsettled = ConcurrentHashMap.newKeySet();
    final AtomicInteger generation = new AtomicInteger();
    final AtomicBoolean reopening = new AtomicBoolean();

    @GuardedBy("this")
    @Nullable Channel channel;

    @GuardedBy("this")
    boolean cancelled;

    @GuardedBy("this")
    @Nullable String consumerTag;

    /** The server confirmed the cancel, or the channel is gone: nothing more will arrive. */
    @GuardedBy("this")
    boolean cancelConfirmed;

    @GuardedBy("this")
    boolean closing;

    /** Copies being given back whose original is not acknowledged yet. */
    final AtomicInteger forwarding = new AtomicInteger();

    Sub(String queue, int prefetch, DeliveryHandler handler) {
      this.queue = queue;
      this.prefetch = prefetch;
      this.handler = handler;
    }

    synchronized boolean isCancelled() {
      return cancelled;
    }

    synchronized @Nullable Channel channel() {
      return channel;
    }

    /** Opens a channel, declares the queue and consumes it. */
    void open() throws IOException {
      Channel opened = connection.createChannel();
      if (opened == null) {
        throw new IOException("the connection has no free channel");
      }
      generation.incrementAndGet();
      synchronized (this) {
        if (cancelled) {
          closeQuietly(opened);
          return;
        }
        channel = opened;
      }
      if (opened instanceof Recoverable recoverable) {
        recoverable.addRecoveryListener(
            new RecoveryListener() {
              @Override
              public void handleRecovery(Recoverable recovered) {
                generation.incrementAndGet();
              }

              @Override
              public void handleRecoveryStarted(Recoverable recovering) {}
            });
      }
      opened.addShutdownListener(cause -> onShutdown(opened, cause));
      names.declareTaskQueue(opened, queue);
      opened.basicQos(prefetch);
      String tag =
          opened.basicConsume(
              names.taskQueue(queue),
              false,
              new DefaultConsumer(opened) {
                @Override
                public void handleDelivery(
                    String consumerTag,
                    Envelope envelope,
                    AMQP.BasicProperties properties,
                    byte[] body) {
                  try {
                    onMessage(opened, envelope, properties, body);
                  } catch (RuntimeException e) {
                    // thrown out of a consumer, it would make the client close the channel; the
                    // message stays unacknowledged and comes back when the channel closes
                    events.emit(
                        EventLevel.ERROR,
                        EventCode.TASK_DELIVERY_FAILURE,
                        "a task of " + queue + " could not be taken: " + e,
                        EnvelopeCodec.peekKey(body),
                        e);
                  }
                }

                @Override
                public void handleCancelOk(String consumerTag) {
                  cancelConfirmed();
                }

                @Override
                public void handleCancel(String consumerTag) {
                  // the server cancelled the consumer (its queue was deleted): consume it anew
                  if (!isCancelled() && !isClosed()) {
                    events.emit(
                        EventLevel.WARNING,
                        EventCode.CONNECTION,
                        "RabbitMQ cancelled the consumer of " + queue + "; consuming it again",
                        null,
                        null);
                    closeQuietly(opened);
                    reopenLater();
                  }
                }
              });
      synchronized (this) {
        consumerTag = tag;
      }
    }

    private void onShutdown(Channel closedChannel, ShutdownSignalException cause) {
      if (cause.isInitiatedByApplication() || cause.isHardError() || isClosed()) {
        return; // our own close, or the connection's loss, which the client recovers
      }
      // a channel error: the client does not recover this channel, so it must forget it too
      try {
        executor.execute(() -> abortQuietly(closedChannel));
      } catch (RejectedExecutionException e) {
        return; // the broker is closing and closes the connection
      }
      synchronized (this) {
        if (cancelled || !Objects.equals(channel, closedChannel)) {
          return;
        }
      }
      if (consumerTimedOut(cause)) {
        events.emit(
            EventLevel.ERROR,
            EventCode.CONNECTION,
            "RabbitMQ closed the consumer channel of "
                + queue
                + " because a delivery stayed unacknowledged longer than its consumer_timeout"
                + " (30 minutes by default), whatever the lease renewals: raise consumer_timeout"
                + " in rabbitmq.conf above the longest task; the task is delivered again ("
                + cause.getMessage()
                + ")",
            null,
            cause);
      }
      events.emit(
          EventLevel.WARNING,
          EventCode.CONNECTION,
          "RabbitMQ closed the consumer channel of "
              + queue
              + " ("
              + cause.getMessage()
              + "); consuming it again",
          null,
          cause);
      reopenLater();
    }

    /** Reopens on a virtual thread (blocking calls may not run on the client's threads). */
    void reopenLater() {
      if (!reopening.compareAndSet(false, true)) {
        return;
      }
      try {
        executor.execute(this::reopen);
      } catch (RejectedExecutionException e) {
        reopening.set(false);
      }
    }

    private void reopen() {
      try {
        for (int attempt = 0; !isCancelled() && !isClosed(); attempt++) {
          if (attempt > 0) {
            Thread.sleep(Math.min(attempt, 5) * 1_000L);
          }
          try {
            open();
            events.emit(
                EventLevel.INFO, EventCode.CONNECTION, "consuming " + queue + " again", null, null);
            return;
          } catch (IOException | RuntimeException e) {
            Channel failed = channel();
            if (failed != null && !failed.isOpen()) {
              abortQuietly(failed); // so the connection does not recover it later
            }
            events.emit(
                EventLevel.WARNING,
                EventCode.CONNECTION,
                "cannot consume " + queue + " again yet: " + describe(e),
                null,
                e);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        reopening.set(false);
      }
    }

    /**
     * One message from the queue: handed out, or first put back with the exact count (redelivered,
     * or arriving after cancel) or sent round the delays again (eta still ahead).
     */
    private void onMessage(
        Channel from, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      int gen = generation.get();
      int count = deliveriesOf(properties);
      Instant eta = etaOf(properties);
      int priority = properties.getPriority() == null ? 0 : properties.getPriority();
      String traceparent = traceparentOf(properties);
      boolean later = eta != null && eta.isAfter(time.now());
      if (isCancelled()) {
        forward(
            from, envelope, body, priority, count, later ? eta : null, traceparent, "given back");
      } else if (envelope.isRedeliver()) {
        forward(
            from, envelope, body, priority, count + 1, later ? eta : null, traceparent, "counted");
      } else if (later) {
        forward(from, envelope, body, priority, count, eta, traceparent, "delayed again");
      } else {
        AmqpDelivery delivery =
            new AmqpDelivery(
                this, from, gen, envelope.getDeliveryTag(), body, priority, count, traceparent);
        unsettled.add(delivery);
        delivery.startLease();
        try {
          handler.onDelivery(delivery);
        } catch (RuntimeException e) {
          events.emit(
              EventLevel.ERROR,
              EventCode.TASK_DELIVERY_FAILURE,
              "delivery handler of " + queue + " threw: " + e,
              EnvelopeCodec.peekKey(body),
              e);
        }
      }
    }

    /** Publishes a copy of a message that is not handed out and acknowledges the original. */
    private void forward(
        Channel from,
        Envelope envelope,
        byte[] body,
        int priority,
        int count,
        @Nullable Instant eta,
        @Nullable String traceparent,
        String why) {
      forwarding.incrementAndGet();
      var _ =
          publishTask(queue, body, priority, count, eta, traceparent)
              .thenRun(() -> basicAck(from, envelope.getDeliveryTag()))
              .whenComplete(
                  (v, e) -> {
                    forwarding.decrementAndGet();
                    closeIfDone();
                    if (e != null && !isClosed()) {
                      events.emit(
                          EventLevel.WARNING,
                          EventCode.TASK_DELIVERY_FAILURE,
                          "a task of " + queue + " could not be " + why + ": " + describe(e),
                          EnvelopeCodec.peekKey(body),
                          e);
                      try {
                        from.basicNack(envelope.getDeliveryTag(), false, true);
                      } catch (IOException | RuntimeException ignored) {
                        // the channel is gone; the broker requeues the message itself
                      }
                    }
                  });
    }

    void settled(AmqpDelivery delivery) {
      unsettled.remove(delivery);
      closeIfDone();
    }

    /**
     * Closes the channel of a cancelled subscription once nothing needs it: the server has
     * confirmed the cancel (so every delivery it sent has reached {@link #onMessage}, which the
     * client calls in order before the cancel-ok), every delivery handed out is settled and every
     * copy being given back is confirmed and acknowledged. Closing sooner would let the server
     * requeue a message whose copy is already stored, a duplicate.
     */
    private void closeIfDone() {
      synchronized (this) {
        if (!cancelled || !cancelConfirmed || closing) {
          return;
        }
        if (!unsettled.isEmpty() || forwarding.get() > 0) {
          return;
        }
        closing = true;
      }
      Channel open = channel();
      if (open == null) {
        return;
      }
      try {
        executor.execute(() -> closeQuietly(open));
      } catch (RejectedExecutionException e) {
        // the broker is closing and closes the connection
      }
    }

    /** Stops without closing the channel (the broker closes the connection). */
    void stop() {
      synchronized (this) {
        cancelled = true;
      }
      for (AmqpDelivery delivery : unsettled) {
        delivery.stopLease();
      }
    }

    /**
     * Cancels the consumer; messages that arrive after that are given back uncounted. The channel
     * stays open until the deliveries handed out are settled, so they can still be acknowledged.
     */
    @Override
    public void cancel() {
      Channel open;
      String tag;
      synchronized (this) {
        if (cancelled) {
          return;
        }
        cancelled = true;
        open = channel;
        tag = consumerTag;
      }
      synchronized (lock) {
        subscriptions.remove(this);
      }
      boolean confirmedLater = false;
      if (open != null && tag != null && open.isOpen()) {
        try {
          open.basicCancel(tag); // the consumer's handleCancelOk confirms it
          confirmedLater = true;
        } catch (IOException | RuntimeException e) {
          // the channel is closing; nothing more is delivered on it
        }
      }
      if (!confirmedLater) {
        cancelConfirmed();
      }
    }

    void cancelConfirmed() {
      synchronized (this) {
        cancelConfirmed = true;
      }
      closeIfDone();
    }
  }

  /** A delivery: one unacknowledged message on its subscription's channel. */
  private final class AmqpDelivery implements Delivery {
    private final Sub sub;
    private final Channel channel;
    private final int generation;
    private final long tag;
    private final byte[] body;
    private final int priority;
    private final int deliveryCount;
    private final @Nullable String traceparent;
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile boolean expired;
    private volatile Instant leaseExpiresAt;

    @GuardedBy("this")
    private @Nullable Scheduled leaseTimer;

    AmqpDelivery(
        Sub sub,
        Channel channel,
        int generation,
        long tag,
        byte[] body,
        int priority,
        int deliveryCount,
        @Nullable String traceparent) {
      this.sub = sub;
      this.channel = channel;
      this.generation = generation;
      this.tag = tag;
      this.body = body;
      this.priority = priority;
      this.deliveryCount = deliveryCount;
      this.traceparent = traceparent;
      this.leaseExpiresAt = time.now().plus(lease);
    }

    @Override
    public byte[] body() {
      return body.clone();
    }

    @Override
    public String queue() {
      return sub.queue;
    }

    @Override
    public int deliveryCount() {
      return deliveryCount;
    }

    @Override
    public Instant leaseExpiresAt() {
      return leaseExpiresAt;
    }

    void startLease() {
      schedule(Duration.between(time.now(), leaseExpiresAt));
    }

    private synchronized void schedule(Duration after) {
      if (leaseTimer != null) {
        leaseTimer.cancel();
      }
      leaseTimer = time.schedule(after, this::expire);
    }

    synchronized void stopLease() {
      if (leaseTimer != null) {
        leaseTimer.cancel();
        leaseTimer = null;
      }
    }

    /**
     * Whether the channel that delivered this closed or recovered since (its tag means nothing).
     */
    private boolean stale() {
      return !channel.isOpen()
          || sub.generation.get() != generation
          || !Objects.equals(sub.channel(), channel);
    }

    private void expire() {
      if (isClosed() || !settled.compareAndSet(false, true)) {
        return;
      }
      expired = true;
      // the time source's thread is shared: the event, the publish and the settling run here
      try {
        executor.execute(
            () -> {
              events.emit(
                  EventLevel.WARNING,
                  EventCode.TASK_DELIVERY_FAILURE,
                  "the lease of a delivery of " + sub.queue + " ran out; it is delivered again",
                  EnvelopeCodec.peekKey(body),
                  null);
              var _ = replaceAndAck(this::copy);
            });
      } catch (RejectedExecutionException e) {
        sub.settled(this); // the broker is closing: the server requeues the message
      }
    }

    /** The released copy, or nothing if the broker will redeliver the original itself. */
    private CompletableFuture<Void> copy() {
      if (stale()) {
        return CompletableFuture.completedFuture(null);
      }
      return publishTask(sub.queue, body, priority, deliveryCount + 1, null, traceparent);
    }

    @Override
    public CompletionStage<Void> ack() {
      return settle("ack", () -> CompletableFuture.completedFuture(null));
    }

    @Override
    public CompletionStage<Void> release() {
      return settle("release", this::copy);
    }

    @Override
    public CompletionStage<Void> requeue(TaskEnvelope next) {
      requireNonNull(next, "next");
      byte[] nextBody;
      try {
        nextBody = EnvelopeCodec.encode(next);
      } catch (RuntimeException e) {
        return CompletableFuture.failedStage(e);
      }
      return settle(
          "requeue",
          () ->
              publishTask(
                  next.queue(), nextBody, priority(next), 1, next.eta(), next.traceparent()));
    }

    @Override
    public CompletionStage<Void> deadLetter(TaskError error) {
      requireNonNull(error, "error");
      return settle(
          "deadLetter", () -> publishDeadLetter(sub.queue, body, priority, error, traceparent));
    }

    @Override
    public CompletionStage<Void> renewLease(Duration extension) {
      requireNonNull(extension, "extension");
      if (settled.get()) {
        return CompletableFuture.completedStage(null);
      }
      if (isClosed()) {
        return CompletableFuture.failedStage(closedException());
      }
      try {
        schedule(extension);
      } catch (RuntimeException e) {
        return CompletableFuture.failedStage(e); // the time source is closed
      }
      leaseExpiresAt = time.now().plus(extension);
      return CompletableFuture.completedStage(null);
    }

    private CompletionStage<Void> settle(
        String what, Supplier<CompletableFuture<Void>> replacement) {
      if (!settled.compareAndSet(false, true)) {
        events.emit(
            EventLevel.WARNING,
            EventCode.TASK_DELIVERY_FAILURE,
            what
                + " of a delivery of "
                + sub.queue
                + (expired
                    ? " came after its lease ran out (it was delivered again); ignored"
                    : " that was already settled; ignored"),
            EnvelopeCodec.peekKey(body),
            null);
        return CompletableFuture.completedStage(null);
      }
      if (isClosed()) {
        sub.settled(this);
        return CompletableFuture.failedStage(closedException());
      }
      return handOut(replaceAndAck(replacement));
    }

    /** Stores what replaces this delivery, then acknowledges it on its channel. */
    private CompletableFuture<Void> replaceAndAck(Supplier<CompletableFuture<Void>> replacement) {
      stopLease();
      CompletableFuture<Void> stored;
      try {
        stored = replacement.get();
      } catch (RuntimeException e) {
        stored = CompletableFuture.failedFuture(e);
      }
      return stored
          .thenRun(
              () -> {
                if (!stale()) {
                  basicAck(channel, tag);
                }
              })
          .whenComplete(
              (v, e) -> {
                if (e != null && !stale() && !isClosed()) {
                  // nothing replaced it: give the original back rather than hold it (and a
                  // prefetch slot) unacknowledged for good; it returns redelivered, counted once
                  // more
                  try {
                    channel.basicNack(tag, false, true);
                  } catch (IOException | RuntimeException ignored) {
                    // the channel is closing: the server requeues the message itself
                  }
                }
                sub.settled(this);
              });
    }
  }

  // ---- helpers ----

  /**
   * {@code stage} as handed to callers through the SPI: completed on this broker's executor, not on
   * the connection's thread that completes confirms, so code the caller chains on it may block
   * (declare a queue, send and wait) without stalling the connection.
   */
  private <T> CompletableFuture<T> handOut(CompletableFuture<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    var _ =
        stage.whenComplete(
            (value, failure) -> {
              Runnable completion =
                  () -> {
                    if (failure != null) {
                      out.completeExceptionally(failure);
                    } else {
                      out.complete(value);
                    }
                  };
              try {
                executor.execute(completion);
              } catch (RejectedExecutionException e) {
                completion.run(); // closing: no one chains blocking work on a closed broker
              }
            });
    return out;
  }

  @FunctionalInterface
  private interface ChannelCall<T> {
    T apply(Channel channel) throws IOException;
  }

  /** Runs {@code call} on a channel of its own, closed after (which requeues what it got). */
  private <T> T withChannel(ChannelCall<T> call) {
    Channel channel;
    try {
      channel = connection.createChannel();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot open a RabbitMQ channel: " + describe(e), e);
    }
    if (channel == null) {
      throw new IllegalStateException("the RabbitMQ connection has no free channel");
    }
    try {
      return call.apply(channel);
    } catch (IOException | ShutdownSignalException e) {
      throw new IllegalStateException("RabbitMQ refused: " + describe(e), e);
    } finally {
      closeQuietly(channel);
    }
  }

  /**
   * Closes {@code channel}; one the server already closed is aborted instead, since the recovering
   * connection forgets a channel (and its consumers) only in {@code close} or {@code abort}, and
   * would otherwise bring it back at the next reconnect as a ghost whose acknowledgements are lost.
   */
  static void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      } else {
        channel.abort();
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      // closing anyway; what it held goes back to its queue
      abortQuietly(channel);
    }
  }

  /** Aborts {@code channel}, which also unregisters it from the recovering connection. */
  static void abortQuietly(Channel channel) {
    try {
      channel.abort();
    } catch (IOException | RuntimeException ignored) {
      // abort is best effort by definition
    }
  }

  private static void basicAck(Channel channel, long tag) {
    try {
      channel.basicAck(tag, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot acknowledge: " + describe(e), e);
    }
  }

  /** The message's {@value #TRACEPARENT} header (the server hands strings back as LongStrings). */
  private static @Nullable String traceparentOf(AMQP.BasicProperties properties) {
    Map<String, Object> headers = properties.getHeaders();
    Object value = headers == null ? null : headers.get(TRACEPARENT);
    return value == null ? null : value.toString();
  }

  private static int deliveriesOf(AMQP.BasicProperties properties) {
    Map<String, Object> headers = properties.getHeaders();
    Object value = headers == null ? null : headers.get(DELIVERIES);
    return value instanceof Number n ? Math.max(1, n.intValue()) : 1;
  }

  private static @Nullable Instant etaOf(AMQP.BasicProperties properties) {
    Map<String, Object> headers = properties.getHeaders();
    Object value = headers == null ? null : headers.get(ETA);
    return value instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null;
  }

  private static int priority(TaskEnvelope task) {
    return Math.max(0, Math.min(9, task.priority()));
  }

  /** The error's own message, or for a channel error the server's reason. */
  static String describe(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException
            || t instanceof java.util.concurrent.CompletionException
            || (t instanceof IOException && t.getMessage() == null))
        && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for RabbitMQ", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("RabbitMQ refused: " + describe(e), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("RabbitMQ did not answer within " + TIMEOUT, e);
    }
  }

  private static void requireQueue(String queue) {
    requireNonNull(queue, "queue");
    if (queue.isBlank()) {
      throw new IllegalArgumentException("queue must not be blank");
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void checkOpen() {
    if (isClosed()) {
      throw closedException();
    }
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("broker is closed");
  }

  /** The topology names, for tests that clean up. */
  BrokerTopology names() {
    return names;
  }

  /** The broker's connection, for tests that look at what the client would recover. */
  Connection connection() {
    return connection;
  }

  /** The channel {@code delivery} came on, for tests that break it. */
  static Channel channelOf(Delivery delivery) {
    return ((AmqpDelivery) delivery).channel;
  }

  /** The task queues this instance declared or consumed, for tests that clean up. */
  Set<String> knownQueues() {
    synchronized (lock) {
      return Set.copyOf(known);
    }
  }
}
