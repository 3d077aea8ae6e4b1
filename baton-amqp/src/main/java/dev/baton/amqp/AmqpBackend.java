package dev.baton.amqp;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.NetworkConnection;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.AttachedContexts;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.ReportPublisher;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.tasks.spi.Subscription;
import dev.baton.time.TimeSource;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A result backend on RabbitMQ: workers send each report to the queue of the caller that waits for
 * it, and the caller keeps the reports of its own calls in memory.
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li>Each backend has one reply queue, {@code <prefix>.reply.<uuid>}, never one per task:
 *       durable, with an {@code x-expires} of {@link Options#replyQueueExpiry()} (1 hour by
 *       default), so it survives a broker restart and the caller's reconnects, and disappears once
 *       its caller has been gone that long. {@link #close()} deletes it. {@link #replyAddress()}
 *       returns its name; the engine puts it in each task's {@code replyTo}.
 *   <li>{@link #publish} (the worker's side) encodes the report and publishes it persistent and
 *       mandatory to the reply queue through the default exchange, with publisher confirms; the
 *       stage completes on the broker's ack, when the report is durable. Publishes are
 *       asynchronous: many are in flight on one channel.
 *   <li>The caller's side consumes its reply queue (manual acknowledgement, prefetch {@value
 *       #PREFETCH}), appends each report to its call's log in memory ({@code ReportLog}) and hands
 *       it to that call's polls, then acknowledges it. {@link #poll} replays the call's log and
 *       then streams new reports. Logs are kept for later polls after {@link #done} until the final
 *       report's {@code expiresAt}, at most {@link Options#retainedCalls()} finished calls (10,000
 *       by default; the oldest is dropped first).
 *   <li>{@link #claimIdempotencyKey} uses RabbitMQ alone: a claim queue per (task name, key) that
 *       holds one message, the claim, and a holder queue where the winner says who it is; the claim
 *       is published with the claim's time to live as its expiration; the queue's own arguments are
 *       fixed (racing claimants declare it, and a declare with other arguments fails), so its
 *       {@code x-expires} is {@link Options#claimQueueExpiry()} whatever the claim's time to live,
 *       and a claim lasts at most that long ({@code IdempotencyClaims} describes the protocol). A
 *       claim won here reserves its call's log until the claim expires.
 * </ul>
 *
 * <h2>What a per-caller reply queue cannot do</h2>
 *
 * <ul>
 *   <li>Results are this caller's alone: another process cannot poll them, and they do not outlive
 *       this backend. When an idempotency key is held by a call that another process (or another
 *       backend) made, this caller would never receive its reports; its poll then gets a FAIL
 *       report ({@link ErrorCode#GENERIC}) saying so instead of waiting forever. Share results
 *       across callers with a backend that keeps reports under their key (the Redis one); workers
 *       and callers must then use that kind too.
 *   <li>Likewise, a later call with the idempotency key of a call this caller made but whose
 *       reports it no longer keeps (more than {@link Options#retainedCalls()} calls finished since)
 *       gets a FAIL report saying so.
 *   <li>A task without a reply address (sent by a caller whose backend keeps reports under their
 *       key) cannot be answered here: {@link #publish} fails with {@link IllegalArgumentException}
 *       saying to pair backends of one kind.
 *   <li>A report to a reply queue that no longer exists (its caller is gone) is dropped with a
 *       WARNING {@code REPORT_FAILURE} event, and the stage completes: nobody waits for it, and
 *       failing would make the worker retry it forever.
 *   <li>A claim's winner announces itself on a second queue after its claim is confirmed; one that
 *       dies in between leaves its key held but unanswered until the claim expires, and later
 *       claims of it fail with {@link IllegalStateException}.
 * </ul>
 *
 * <h2>Threads and failure</h2>
 *
 * <p>Thread-safe. One connection per backend, with three kinds of channel: the reply consumer's,
 * the confirming publisher's, and a small pool for claims. A poll's replay runs on the polling
 * thread and new reports reach sinks on the client's consumer thread, one call of a poll's sink at
 * a time, never under a lock other polls need; sinks must not block. A report that does not decode
 * is acknowledged and dropped with an ERROR {@code DECODE_FAILURE} event; consuming goes on. A sink
 * that throws is reported as a WARNING {@code REPORT_FAILURE} event and its poll goes on.
 *
 * <p>A lost connection is reported as a WARNING {@code CONNECTION} event and its recovery as an
 * INFO one; the client recovers it every second with its channels, the reply queue (declared again
 * with the same arguments) and the consumer, so reports resume; reports delivered but not
 * acknowledged before the loss come again and are recognised as duplicates. A publish in flight
 * when the connection drops fails (the worker decides; a republished report that had been stored is
 * a duplicate, dropped by the caller). A reply queue deleted by another client is declared again at
 * once, with an ERROR {@code CONNECTION} event (reports sent to it meanwhile were dropped). {@link
 * #claimIdempotencyKey} throws {@link IllegalStateException} if RabbitMQ does not answer within 10
 * seconds. After {@link #close()} {@code publish} returns a failed stage and {@code poll} and
 * {@code claimIdempotencyKey} throw {@link IllegalStateException} ("backend is closed").
 */
public final class AmqpBackend implements ReportPublisher, ReportStore {

  /** How many unacknowledged reports the broker sends ahead to the reply consumer. */
  static final int PREFETCH = 300;

  /** How long a claim waits for the broker. */
  static final Duration CLAIM_BOUND = Duration.ofSeconds(10);

  private final Connection connection;
  private final URI uri;
  private final TimeSource time;
  private final String replyQueue;
  private final AttachedContexts events = new AttachedContexts();
  private final AtomicBoolean disconnected = new AtomicBoolean();
  private final ReportLog log;
  private final int retainedCalls;
  private final Object lock = new Object();

  private final ConfirmingPublisher publisher;
  private final IdempotencyClaims claims;
  private final Channel consumer;
  private final Map<String, Object> replyArguments;

  @GuardedBy("lock")
  private boolean closed;

  /**
   * Settings of an {@link AmqpBackend}.
   *
   * @param prefix the first part of every queue name the backend declares ({@code
   *     <prefix>.reply.<uuid>}, {@code <prefix>.idem.…}): a deployment's callers and workers share
   *     it; tests use unique ones. Default {@code baton}
   * @param replyQueueExpiry how long the reply queue outlives its caller's connection before the
   *     broker deletes it (with the reports in it): long enough to ride out a restart of the broker
   *     or of the caller's network. Default 1 hour
   * @param retainedCalls how many finished calls (final report received) the caller keeps in memory
   *     for later polls of the same key; the call that finished first is dropped first. Default
   *     10,000
   * @param claimQueueExpiry the {@code x-expires} of idempotency claim queues, which is also the
   *     longest a claim holds: one fixed value for every caller that shares idempotency keys
   *     (queues declared with other arguments are refused). Default 30 days
   */
  public record Options(
      String prefix, Duration replyQueueExpiry, int retainedCalls, Duration claimQueueExpiry) {

    /** The defaults: prefix {@code baton}, 1 hour, 10,000 calls, 30 days. */
    public static final Options DEFAULTS =
        new Options("baton", Duration.ofHours(1), 10_000, Duration.ofDays(30));

    /** Checks the settings. */
    public Options {
      requireNonNull(prefix, "prefix");
      requireNonNull(replyQueueExpiry, "replyQueueExpiry");
      requireNonNull(claimQueueExpiry, "claimQueueExpiry");
      if (prefix.isEmpty() || prefix.startsWith("amq.") || prefix.length() > 100) {
        throw new IllegalArgumentException(
            "prefix must be 1 to 100 characters and not start with 'amq.' (reserved by"
                + " RabbitMQ), got '"
                + prefix
                + "'");
      }
      positiveMillis(replyQueueExpiry, "replyQueueExpiry");
      positiveMillis(claimQueueExpiry, "claimQueueExpiry");
      if (retainedCalls < 1) {
        throw new IllegalArgumentException(
            "retainedCalls must be at least 1, got " + retainedCalls);
      }
    }

    /** These settings with another prefix. */
    public Options withPrefix(String prefix) {
      return new Options(prefix, replyQueueExpiry, retainedCalls, claimQueueExpiry);
    }

    /** These settings with another reply queue expiry. */
    public Options withReplyQueueExpiry(Duration replyQueueExpiry) {
      return new Options(prefix, replyQueueExpiry, retainedCalls, claimQueueExpiry);
    }

    /** These settings with another cap on retained finished calls. */
    public Options withRetainedCalls(int retainedCalls) {
      return new Options(prefix, replyQueueExpiry, retainedCalls, claimQueueExpiry);
    }

    /** These settings with another claim queue expiry. */
    public Options withClaimQueueExpiry(Duration claimQueueExpiry) {
      return new Options(prefix, replyQueueExpiry, retainedCalls, claimQueueExpiry);
    }

    private static void positiveMillis(Duration duration, String name) {
      // RabbitMQ takes x-expires in whole milliseconds and refuses 0; Erlang timers stop at 2^32-1.
      if (duration.toMillis() < 1 || duration.toMillis() > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException(
            name + " must be between 1 ms and about 49 days, got " + duration);
      }
    }
  }

  /**
   * Sets up the backend on {@code connection}: its publisher, its claims, and its reply queue and
   * consumer (last, once everything a delivery touches exists).
   */
  private AmqpBackend(Connection connection, URI uri, TimeSource time, Options options)
      throws IOException {
    this.connection = connection;
    this.uri = uri;
    this.time = time;
    this.replyQueue = options.prefix() + ".reply." + UUID.randomUUID();
    this.retainedCalls = options.retainedCalls();
    this.log = new ReportLog(time, events, retainedCalls);
    try {
      this.publisher = new ConfirmingPublisher(connection, "report");
      this.claims =
          new IdempotencyClaims(
              connection,
              publisher,
              options.prefix(),
              options.claimQueueExpiry(),
              replyQueue,
              CLAIM_BOUND);
      Channel channel = connection.createChannel();
      if (channel == null) {
        throw new IOException("the connection has no free channel for the reply consumer");
      }
      this.consumer = channel;
      this.replyArguments = Map.of("x-expires", options.replyQueueExpiry().toMillis());
      channel.basicQos(PREFETCH);
      consumeReplies();
    } catch (IOException | RuntimeException e) {
      log.close(); // its purge timer would otherwise run on for a backend nobody has
      throw e;
    }
  }

  /** Declares the reply queue (again, if it was deleted) and consumes it. */
  private void consumeReplies() throws IOException {
    consumer.queueDeclare(replyQueue, true, false, false, replyArguments);
    consumer.basicConsume(
        replyQueue,
        false,
        new ReplyConsumer(consumer, replyQueue, log, events, this::onReplyQueueDeleted));
  }

  /**
   * The broker cancelled the reply consumer: someone deleted the reply queue. Reports sent to it
   * since are lost (their workers were told); declare it again so later ones arrive. Not on the
   * consumer thread, which must not wait on the broker.
   */
  private void onReplyQueueDeleted() {
    if (isClosed()) {
      return;
    }
    events.emit(
        EventLevel.ERROR,
        EventCode.CONNECTION,
        "the reply queue '"
            + replyQueue
            + "' was deleted while this caller consumed it; declaring it again (reports sent"
            + " meanwhile were dropped)",
        null,
        null);
    Thread.ofVirtual()
        .name("baton-amqp-reply-redeclare")
        .start(
            () -> {
              try {
                consumeReplies();
              } catch (IOException | RuntimeException e) {
                if (!isClosed()) {
                  events.emit(
                      EventLevel.ERROR,
                      EventCode.CONNECTION,
                      "could not declare the reply queue '"
                          + replyQueue
                          + "' again: "
                          + describe(e)
                          + "; this caller receives no more reports",
                      null,
                      e);
                }
              }
            });
  }

  /**
   * Connects to the RabbitMQ server at {@code uri} with the default {@link Options}.
   *
   * @param uri {@code amqp://} or {@code amqps://}, as {@code AmqpConnections} reads it
   * @param time the clock report expiries are measured against
   * @throws IllegalArgumentException if the URI is not a usable AMQP URI
   * @throws IllegalStateException if the server cannot be reached or refuses the reply queue
   */
  public static AmqpBackend connect(URI uri, TimeSource time) {
    return connect(uri, time, Options.DEFAULTS);
  }

  /**
   * Connects to the RabbitMQ server at {@code uri}, declares this caller's reply queue and starts
   * consuming it.
   *
   * @param uri {@code amqp://} or {@code amqps://}, as {@code AmqpConnections} reads it
   * @param time the clock report expiries are measured against
   * @param options the prefix, expiries and retention
   * @throws IllegalArgumentException if the URI is not a usable AMQP URI
   * @throws IllegalStateException if the server cannot be reached or refuses the reply queue
   */
  public static AmqpBackend connect(URI uri, TimeSource time, Options options) {
    requireNonNull(uri, "uri");
    requireNonNull(time, "time");
    requireNonNull(options, "options");
    ConnectionFactory factory = AmqpConnections.factory(uri);
    Connection connection;
    try {
      connection = factory.newConnection("baton-amqp-backend");
    } catch (IOException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot connect to RabbitMQ at " + AmqpConnections.redact(uri) + ": " + e, e);
    }
    try {
      AmqpBackend backend = new AmqpBackend(connection, uri, time, options);
      backend.listen();
      return backend;
    } catch (IOException | RuntimeException e) {
      connection.abort(1_000);
      throw new IllegalStateException(
          "cannot set up the RabbitMQ backend at "
              + AmqpConnections.redact(uri)
              + ": "
              + describe(e),
          e);
    }
  }

  /** Turns the connection's loss and recovery into events. */
  private void listen() {
    connection.addShutdownListener(this::onConnectionLost);
    if (connection instanceof Recoverable recoverable) {
      recoverable.addRecoveryListener(
          new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recovered) {
              onRecovered();
            }

            @Override
            public void handleRecoveryStarted(Recoverable recovering) {}
          });
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

  /** This caller's reply queue: workers send the reports of its calls there. */
  @Override
  public String replyAddress() {
    return replyQueue;
  }

  /**
   * Publishes the report to the caller's reply queue {@code replyTo}; the stage completes when the
   * broker has confirmed it (it is durable), or, if the queue no longer exists, at once after a
   * WARNING event (the report is dropped: its caller is gone).
   *
   * @return a stage failed with {@link IllegalArgumentException} if {@code replyTo} is {@code
   *     null}, with {@link IllegalStateException} if the backend is closed, or with the broker's
   *     refusal or the lost connection
   */
  @Override
  public CompletionStage<Void> publish(ReportEnvelope report, @Nullable String replyTo) {
    requireNonNull(report, "report");
    if (replyTo == null) {
      return CompletableFuture.failedStage(
          new IllegalArgumentException(
              "the task "
                  + report.key()
                  + " carries no reply address, so its report cannot reach its caller: the"
                  + " caller does not use an AMQP backend. Give workers and callers the same kind"
                  + " of backend (both AmqpBackend, or both a backend that keeps reports under"
                  + " their key, such as RedisBackend)"));
    }
    if (isClosed()) {
      return CompletableFuture.failedStage(closedException());
    }
    byte[] body;
    try {
      body = EnvelopeCodec.encode(report);
    } catch (RuntimeException e) {
      return CompletableFuture.failedStage(e);
    }
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .deliveryMode(2)
            .contentType("application/x-baton-report")
            .build();
    return publisher
        .publish("", replyTo, true, properties, body)
        .exceptionallyCompose(
            failure -> {
              if (failure instanceof AmqpPublishException refused && refused.unroutable()) {
                events.emit(
                    EventLevel.WARNING,
                    EventCode.REPORT_FAILURE,
                    "the "
                        + report.status()
                        + " report of "
                        + report.key()
                        + " was dropped: its caller's reply queue '"
                        + replyTo
                        + "' no longer exists (the caller is gone), so nobody waits for it",
                    report.key(),
                    failure);
                return CompletableFuture.completedFuture(null);
              }
              return CompletableFuture.failedFuture(failure);
            });
  }

  /**
   * Streams the reports of {@code key} that reached this caller: those received before the poll
   * first, on this thread before returning, then new ones on the consumer thread, one call of
   * {@code sink} at a time.
   *
   * @throws IllegalStateException if the backend is closed
   */
  @Override
  public Subscription poll(TaskKey key, Consumer<byte[]> sink) {
    requireNonNull(key, "key");
    requireNonNull(sink, "sink");
    if (isClosed()) {
      throw closedException();
    }
    return log.poll(key, sink);
  }

  /**
   * Stops the polls of {@code key}; its reports stay in this caller's memory until their expiry or
   * until {@link Options#retainedCalls()} later calls have finished.
   */
  @Override
  public void done(TaskKey key) {
    requireNonNull(key, "key");
    log.done(key);
  }

  /**
   * Claims the key through its claim queue; returns the id of the call holding it. If that call was
   * made by another caller (its reports go to another reply queue), polls of it here receive a FAIL
   * report saying so. Waits at most 10 seconds for RabbitMQ.
   *
   * @throws IllegalStateException if the backend is closed, RabbitMQ does not answer in time, or
   *     the claim queue exists with other arguments
   */
  @Override
  public String claimIdempotencyKey(
      String taskName, String idempotencyKey, String candidateId, Duration ttl) {
    requireNonNull(taskName, "taskName");
    requireNonNull(idempotencyKey, "idempotencyKey");
    requireNonNull(candidateId, "candidateId");
    requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    if (isClosed()) {
      throw closedException();
    }
    IdempotencyClaims.Holder holder = claims.claim(taskName, idempotencyKey, candidateId, ttl);
    TaskKey held = new TaskKey(taskName, holder.callId());
    Instant now = time.now();
    if (!replyQueue.equals(holder.replyAddress())) {
      if (!log.hasFinal(held)) {
        fail(held, heldElsewhere(held, idempotencyKey, holder), now.plus(ttl));
      }
    } else if (holder.callId().equals(candidateId)) {
      // Kept from now on, so a later claimant here polls it even before its first report.
      log.reserve(held, now.plus(ttl));
    } else if (!log.holds(held)) {
      fail(held, noLongerKept(held, idempotencyKey), now.plus(ttl));
    }
    return holder.callId();
  }

  /**
   * Stops consuming, cancels every poll, deletes the reply queue (nobody will read it again;
   * workers' later reports to it are dropped with a warning) and closes the connection. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    log.close();
    claims.close();
    publisher.close();
    try {
      if (consumer.isOpen()) {
        consumer.queueDelete(replyQueue);
      }
    } catch (IOException | ShutdownSignalException e) {
      events.emit(
          EventLevel.WARNING,
          EventCode.CONNECTION,
          "could not delete the reply queue '"
              + replyQueue
              + "' on close (it expires by itself): "
              + describe(e),
          null,
          e);
    }
    try {
      connection.close(2_000);
    } catch (IOException | ShutdownSignalException e) {
      connection.abort(1_000);
    }
  }

  /** The local port of the connection, for tests that have the server close it. */
  int connectionLocalPort() {
    return connection instanceof NetworkConnection network ? network.getLocalPort() : -1;
  }

  /** The caller-side log, for tests. */
  ReportLog log() {
    return log;
  }

  /**
   * Gives polls of {@code held} a FAIL report ({@link ErrorCode#GENERIC}, {@code message}) instead
   * of the reports this caller will never receive, so they end instead of waiting forever.
   */
  private void fail(TaskKey held, String message, Instant expiresAt) {
    Instant now = time.now();
    ReportEnvelope report =
        new ReportEnvelope(
            EnvelopeCodec.VERSION,
            held,
            ReportStatus.FAIL,
            1,
            Marshallers.DEFAULT,
            null,
            new TaskError(ErrorCode.GENERIC, message),
            null,
            now,
            expiresAt);
    log.append(report, EnvelopeCodec.encode(report));
  }

  private static String heldElsewhere(
      TaskKey held, String idempotencyKey, IdempotencyClaims.Holder holder) {
    return "the idempotency key '"
        + idempotencyKey
        + "' of "
        + held.name()
        + " is held by call "
        + held.id()
        + ", made first by another caller ("
        + (holder.replyAddress() == null
            ? "no reply address"
            : "reply queue '" + holder.replyAddress() + "'")
        + "), in another process or backend: an AMQP backend sends an idempotent call's"
        + " reports only to the caller that made it first. Use a backend that shares results"
        + " across callers (RedisBackend) to wait for them from here";
  }

  private String noLongerKept(TaskKey held, String idempotencyKey) {
    return "the idempotency key '"
        + idempotencyKey
        + "' of "
        + held.name()
        + " is held by call "
        + held.id()
        + ", made earlier by this caller, whose reports it no longer keeps (it keeps at most "
        + retainedCalls
        + " finished calls, each until its result expires): raise"
        + " AmqpBackend.Options.retainedCalls, or use a backend that keeps results under their key"
        + " (RedisBackend)";
  }

  private void onConnectionLost(ShutdownSignalException cause) {
    if (cause.isInitiatedByApplication() || isClosed()) {
      return;
    }
    if (disconnected.compareAndSet(false, true)) {
      events.emit(
          EventLevel.WARNING,
          EventCode.CONNECTION,
          "RabbitMQ backend lost its connection to "
              + AmqpConnections.redact(uri)
              + " ("
              + cause.getMessage()
              + "); reconnecting",
          null,
          cause);
    }
  }

  private void onRecovered() {
    if (disconnected.compareAndSet(true, false)) {
      events.emit(
          EventLevel.INFO,
          EventCode.CONNECTION,
          "RabbitMQ backend reconnected to "
              + AmqpConnections.redact(uri)
              + "; consuming reply queue '"
              + replyQueue
              + "' again",
          null,
          null);
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  static IllegalStateException closedException() {
    return new IllegalStateException("backend is closed");
  }

  private static String describe(Exception e) {
    if (e.getCause() instanceof ShutdownSignalException signal) {
      return signal.getMessage();
    }
    return String.valueOf(e.getMessage());
  }
}
