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
import com.rabbitmq.client.impl.recovery.AutorecoveringChannel;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *       then streams new reports. Reports are decoded without a payload limit (the broker's maximum
 *       message size bounds them; the engine applies the application's limit). After {@link #done}
 *       a call that holds no claim made here is kept only among the few done last (nothing else can
 *       poll it again); a call that holds one is kept until its final report's {@code expiresAt} or
 *       the claim's expiry; at most {@link Options#retainedCalls()} finished calls are kept (10,000
 *       by default; the oldest is dropped first). {@code ReportLog} describes what is kept.
 *   <li>{@link #claimIdempotencyKey} uses RabbitMQ alone: a claim queue per (task name, key)
 *       ({@code <prefix>.idem.c.…}) that holds one message, the claim, and a holder queue ({@code
 *       <prefix>.idem.h.…}) where the winner says who it is; the claim is published with the
 *       claim's time to live as its expiration; the queue's own arguments are fixed (racing
 *       claimants declare it, and a declare with other arguments fails), so its {@code x-expires}
 *       is {@link Options#claimQueueExpiry()} whatever the claim's time to live, and a claim lasts
 *       at most that long ({@code IdempotencyClaims} describes the protocol). A claim made here
 *       reserves its call's log from before the claim is published (so a claimant here that finds
 *       it held always finds its log) until the claim expires.
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
 *   <li>A claim's winner announces itself on a second queue after its claim is confirmed (trying
 *       again until the 10 second bound, and announcing later if the confirm comes after it); one
 *       that dies in between leaves its key held but unanswered until the claim expires, and later
 *       claims of it fail with {@link IllegalStateException} naming both queues (deleting them
 *       frees the key).
 *   <li>Reports that reached a lost reply queue are gone: when the broker cancels the consumer (the
 *       queue was deleted), or the connection comes back after an outage at least as long as {@link
 *       Options#replyQueueExpiry()} (the broker deleted the queue, and recovery declared it again,
 *       empty), every call a poll waits for that has no final report gets a FAIL report ({@link
 *       ErrorCode#GENERIC}, "reports may be lost") instead of waiting forever.
 * </ul>
 *
 * <h2>Threads and failure</h2>
 *
 * <p>Thread-safe. One connection per backend, with three kinds of channel: the reply consumer's,
 * the confirming publisher's, and a small pool for claims. A poll's replay runs on the polling
 * thread and new reports reach sinks on the client's consumer thread, one call of a poll's sink at
 * a time, never under a lock other polls need; sinks must not block. A report that does not decode
 * but names its call is handed to that call's polls as it is (the engine's decode then fails the
 * call), with an ERROR {@code DECODE_FAILURE} event; any other message is acknowledged and dropped
 * with that event; consuming goes on. A sink that throws (anything) is reported as a WARNING {@code
 * REPORT_FAILURE} event and its poll goes on. A reply channel that the broker closes while the
 * connection stays up is replaced, with an ERROR {@code CONNECTION} event. The backend's own state
 * is small: one lock guards the closed flag and when the connection was lost; another serialises
 * declaring the reply queue again (or consuming it on a new channel) with deleting it on close, and
 * each re-checks the closed flag under it.
 *
 * <p>A lost connection is reported as a WARNING {@code CONNECTION} event and its recovery as an
 * INFO one; the client recovers it every second with its channels, the reply queue (declared again
 * with the same arguments) and the consumer, so reports resume; reports delivered but not
 * acknowledged before the loss come again and are recognised as duplicates. A publish in flight
 * when the connection drops fails (the worker decides; a republished report that had been stored is
 * a duplicate, dropped by the caller). A reply queue deleted by another client is declared again at
 * once, with an ERROR {@code CONNECTION} event (reports sent to it meanwhile were dropped, so the
 * awaited calls fail, as above). {@link #claimIdempotencyKey} throws {@link IllegalStateException}
 * if RabbitMQ does not answer within 10 seconds in all. After {@link #close()} {@code publish}
 * returns a failed stage and {@code poll} and {@code claimIdempotencyKey} throw {@link
 * IllegalStateException} ("backend is closed"), as do claims in flight when it runs.
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

  /** How many times the reply queue was consumed (the first time, then again), for tests. */
  private final AtomicInteger consumes = new AtomicInteger();

  private final ReportLog log;
  private final int retainedCalls;
  private final Object lock = new Object();

  /**
   * Held while the reply queue is declared again or deleted, so that a redeclare that saw the
   * backend open cannot re-create the queue after {@link #close()} deleted it.
   */
  private final Object topology = new Object();

  private final ConfirmingPublisher publisher;
  private final IdempotencyClaims claims;
  private final Map<String, Object> replyArguments;
  private final String replyPrefix;
  private final Duration replyQueueExpiry;

  /** The reply consumer's channel; replaced when the broker closes it (see {@link #reopen}). */
  private volatile Channel consumer;

  @GuardedBy("lock")
  private boolean closed;

  /** When the connection was lost ({@link System#nanoTime}), or {@code null} while connected. */
  @GuardedBy("lock")
  private @Nullable Long lostAt;

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
   *     (queues declared with other arguments are refused). Each key ever claimed costs two durable
   *     queues on the broker (its claim queue and holder queue) for this long after its last claim,
   *     so it should be no longer than claims need to last: default {@link
   *     #DEFAULT_CLAIM_QUEUE_EXPIRY}, the default result expiry plus an hour. Calls whose results
   *     are kept longer need it raised to match, or their keys free up early
   */
  public record Options(
      String prefix, Duration replyQueueExpiry, int retainedCalls, Duration claimQueueExpiry) {

    /**
     * The default claim queue expiry: {@link TaskOptions#DEFAULT_RESULT_EXPIRY} (how long a claim
     * holds by default) plus an hour.
     */
    public static final Duration DEFAULT_CLAIM_QUEUE_EXPIRY =
        TaskOptions.DEFAULT_RESULT_EXPIRY.plusHours(1);

    /** The defaults: prefix {@code baton}, 1 hour, 10,000 calls, 25 hours. */
    public static final Options DEFAULTS =
        new Options("baton", Duration.ofHours(1), 10_000, DEFAULT_CLAIM_QUEUE_EXPIRY);

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
    this.replyPrefix = options.prefix() + ".reply.";
    this.replyQueue = replyPrefix + UUID.randomUUID();
    this.replyQueueExpiry = options.replyQueueExpiry();
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
              CLAIM_BOUND,
              this::isClosed);
      this.replyArguments = Map.of("x-expires", options.replyQueueExpiry().toMillis());
      this.consumer = openConsumerChannel();
      consumeReplies(consumer);
    } catch (IOException | RuntimeException e) {
      log.close(); // its purge timer would otherwise run on for a backend nobody has
      throw e;
    }
  }

  /**
   * Opens a channel for the reply consumer, with its prefetch, and watches it: a channel the broker
   * (or the client's exception handler) closes while the connection stays up is never recovered by
   * the client, so it is replaced.
   */
  private Channel openConsumerChannel() throws IOException {
    Channel channel = connection.createChannel();
    if (channel == null) {
      throw new IOException("the connection has no free channel for the reply consumer");
    }
    channel.basicQos(PREFETCH);
    channel.addShutdownListener(cause -> onConsumerChannelClosed(channel, cause));
    return channel;
  }

  /** Declares the reply queue (again, if it was deleted) and consumes it on {@code channel}. */
  private void consumeReplies(Channel channel) throws IOException {
    channel.queueDeclare(replyQueue, true, false, false, replyArguments);
    channel.basicConsume(
        replyQueue,
        false,
        new ReplyConsumer(channel, replyQueue, log, events, this::onReplyQueueDeleted));
    consumes.incrementAndGet();
  }

  /**
   * The broker cancelled the reply consumer: someone deleted the reply queue. Reports sent to it
   * since are lost (their workers were told, and acknowledged their tasks), so the calls awaiting
   * reports fail; declare it again so later ones arrive. Not on the consumer thread, which must not
   * wait on the broker.
   */
  private void onReplyQueueDeleted(String consumerTag) {
    if (isClosed()) {
      return;
    }
    // The client keeps a cancelled consumer's record and would bring it back at the next recovery,
    // next to the one consumed below.
    if (consumer instanceof AutorecoveringChannel recovering) {
      recovering.deleteRecordedConsumer(consumerTag);
    }
    events.emit(
        EventLevel.ERROR,
        EventCode.CONNECTION,
        "the reply queue '"
            + replyQueue
            + "' was deleted while this caller consumed it; declaring it again (reports sent"
            + " meanwhile were dropped: the calls waiting for reports fail)",
        null,
        null);
    failAwaited("the reply queue '" + replyQueue + "' was deleted; reports may be lost");
    Thread.ofVirtual().name("baton-amqp-reply-redeclare").start(this::redeclare);
  }

  private void redeclare() {
    try {
      synchronized (topology) {
        if (isClosed()) {
          return;
        }
        consumeReplies(consumer);
      }
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
  }

  /**
   * The reply consumer's channel closed. With the connection (a hard error) the client recovers it;
   * alone (a channel error, or the client's exception handler closing it), nothing would, and
   * reports would stop: open another and consume again, unless the backend is closing.
   */
  private void onConsumerChannelClosed(Channel channel, ShutdownSignalException cause) {
    if (cause.isHardError() || isClosed() || !channel.equals(consumer)) {
      return;
    }
    events.emit(
        EventLevel.ERROR,
        EventCode.CONNECTION,
        "the reply consumer's channel closed ("
            + cause.getMessage()
            + "); consuming reply queue '"
            + replyQueue
            + "' on a new channel",
        null,
        cause);
    Thread.ofVirtual().name("baton-amqp-reply-reopen").start(() -> reopen(channel));
  }

  private void reopen(Channel closedChannel) {
    if (isClosed()) {
      return;
    }
    if (closedChannel instanceof AutorecoveringChannel recovering) {
      // its consumer must not come back at the next recovery next to the new one
      for (String tag : recordedTags(closedChannel)) {
        recovering.deleteRecordedConsumer(tag);
      }
    }
    try {
      synchronized (topology) {
        if (isClosed()) {
          return;
        }
        // Made the consumer's channel only once it consumes: one that the broker closes at once
        // (the
        // queue cannot be declared) is not replaced again and again.
        Channel fresh = openConsumerChannel();
        consumeReplies(fresh);
        consumer = fresh;
      }
    } catch (IOException | RuntimeException e) {
      if (!isClosed()) {
        events.emit(
            EventLevel.ERROR,
            EventCode.CONNECTION,
            "could not consume the reply queue '"
                + replyQueue
                + "' on a new channel: "
                + describe(e)
                + "; this caller receives no more reports",
            null,
            e);
      }
    }
  }

  /** The tags of the consumers the client recorded on {@code channel}, to recover them. */
  private List<String> recordedTags(Channel channel) {
    List<String> tags = new ArrayList<>();
    if (connection instanceof AutorecoveringConnection recovering) {
      recovering
          .getRecordedConsumers()
          .forEach(
              (tag, recorded) -> {
                if (recorded.getChannel().equals(channel)) {
                  tags.add(tag);
                }
              });
    }
    return tags;
  }

  /**
   * Gives every call that a poll awaits and that has no final report a FAIL ({@link
   * ErrorCode#GENERIC}, {@code message}): its reports may have been dropped with the reply queue,
   * and waiting would be forever.
   */
  private void failAwaited(String message) {
    for (TaskKey key : log.awaitedUnfinished()) {
      fail(key, message, time.now().plus(TaskOptions.DEFAULT_RESULT_EXPIRY));
    }
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
   * @return a stage failed with {@link IllegalArgumentException} if {@code replyTo} is {@code null}
   *     or not a reply queue name of this prefix ({@code <prefix>.reply.…}), with {@link
   *     IllegalStateException} if the backend is closed, or with the broker's refusal or the lost
   *     connection
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
    if (!replyTo.startsWith(replyPrefix)) {
      // Anything else may be a task queue: reports published there would reach its workers.
      return CompletableFuture.failedStage(
          new IllegalArgumentException(
              "the task "
                  + report.key()
                  + " names '"
                  + replyTo
                  + "' as its reply address, which is not a reply queue of this deployment"
                  + " (those start with '"
                  + replyPrefix
                  + "'): its report was not published. Callers and workers must use the same"
                  + " AmqpBackend.Options.prefix"));
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
   * Stops the polls of {@code key}. A call holding an idempotency claim made here stays in memory
   * until its expiry or until {@link Options#retainedCalls()} later calls have finished; any other
   * is kept only among the few calls done last, then dropped (late copies of its reports are
   * ignored).
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
    // Reserved before the claim, so that once it is won, a claimant here that finds it held (it
    // reads the holder only after the win is announced) always finds its log.
    TaskKey candidate = new TaskKey(taskName, candidateId);
    log.reserve(candidate, time.now().plus(ttl));
    IdempotencyClaims.Holder holder;
    try {
      holder = claims.claim(taskName, idempotencyKey, candidateId, ttl);
    } catch (RuntimeException e) {
      log.unreserve(candidate);
      if (isClosed()) {
        throw closedException(e);
      }
      throw e;
    }
    TaskKey held = new TaskKey(taskName, holder.callId());
    Instant now = time.now();
    boolean won = holder.callId().equals(candidateId) && replyQueue.equals(holder.replyAddress());
    if (!won) {
      log.unreserve(candidate);
    }
    if (!replyQueue.equals(holder.replyAddress())) {
      if (!log.hasFinal(held)) {
        fail(held, heldElsewhere(held, idempotencyKey, holder), now.plus(ttl));
      }
    } else if (!won && !log.pin(held)) {
      // pinned if kept: neither eviction nor the purge drops it before this claimant polls it
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
      synchronized (topology) { // after a redeclare in flight, never before it
        if (consumer.isOpen()) {
          consumer.queueDelete(replyQueue);
        }
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

  /** The reply consumer's channel, for tests that have the broker close it. */
  Channel consumerChannel() {
    return consumer;
  }

  /** How many times the reply queue was consumed, for tests. */
  int consumes() {
    return consumes.get();
  }

  /** How many consumers of the reply queue the client would recover, for tests. */
  long recordedReplyConsumers() {
    if (!(connection instanceof AutorecoveringConnection recovering)) {
      return 0;
    }
    return recovering.getRecordedConsumers().values().stream()
        .filter(recorded -> replyQueue.equals(recorded.getQueue()))
        .count();
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
    log.inject(report, EnvelopeCodec.encode(report));
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
    synchronized (lock) {
      if (lostAt == null) {
        lostAt = System.nanoTime();
      }
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
    Long since;
    synchronized (lock) {
      since = lostAt;
      lostAt = null;
    }
    if (since != null && System.nanoTime() - since >= replyQueueExpiry.toNanos()) {
      // The broker deleted the reply queue meanwhile, with the reports in it, and recovery declared
      // it again, empty: the calls still waiting would wait forever.
      events.emit(
          EventLevel.ERROR,
          EventCode.CONNECTION,
          "the connection was lost for longer than the reply queue's expiry ("
              + replyQueueExpiry
              + "): reply queue '"
              + replyQueue
              + "' expired with its reports and was declared again; the calls waiting for reports"
              + " fail",
          null,
          null);
      failAwaited(
          "the reply queue '"
              + replyQueue
              + "' expired while the connection was lost for longer than "
              + replyQueueExpiry
              + "; reports may be lost");
    }
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

  private static IllegalStateException closedException(Throwable cause) {
    return new IllegalStateException("backend is closed", cause);
  }

  private static String describe(Exception e) {
    if (e.getCause() instanceof ShutdownSignalException signal) {
      return signal.getMessage();
    }
    return String.valueOf(e.getMessage());
  }
}
