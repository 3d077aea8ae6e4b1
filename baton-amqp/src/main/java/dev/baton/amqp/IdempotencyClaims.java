package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency claims on RabbitMQ alone: one durable queue per (task name, key) that holds at most
 * one message, the claim.
 *
 * <h2>Protocol</h2>
 *
 * <p>The claim queue is declared with {@code x-max-length} 1 and {@code x-overflow} {@code
 * reject-publish}, so of the publishes that find it empty exactly one is stored and the broker
 * refuses (nacks) the rest. A claimant declares the queue and publishes its candidate (body: the
 * call id; {@code reply-to}: its reply queue), persistent, mandatory, with a per-message {@code
 * expiration} of the claim's time to live, and waits for the confirm: an ack means this claim won;
 * a nack means a claim is held, which the claimant reads without consuming it ({@code basic.get}
 * without auto-ack, then {@code basic.reject} with requeue) and returns. A claim that expires
 * leaves the queue empty, so the next claim wins. A return (the queue vanished between declare and
 * publish) or an empty get (the holder expired between nack and get) starts over, at most {@value
 * #ATTEMPTS} times.
 *
 * <h2>Fixed arguments</h2>
 *
 * <p>Declaring a queue that exists with other arguments fails ({@code PRECONDITION_FAILED}, and the
 * channel closes), and claimants race to declare. So the arguments never depend on a claim: the
 * time to live travels on the message, and the queue's {@code x-expires} (which deletes a queue
 * nobody declared, read or published to for that long) is one fixed value per deployment, {@link
 * AmqpBackend.Options#claimQueueExpiry()} (30 days by default). A claim's expiration is capped at
 * it, so the queue always outlives its claim; a claim asked to last longer lasts that long.
 *
 * <h2>Concurrency and its limit</h2>
 *
 * <p>Thread-safe. A length limit counts ready messages only, so while a reader holds the claim
 * unacknowledged, between its get and its reject (one round trip), a racing publish would be stored
 * too and believe it won. Claims of one queue are therefore serialised within this process (striped
 * locks on the queue name), which closes the window between claimants sharing a backend; between
 * processes it stays open for that round trip, and is documented on {@link AmqpBackend}. Declares
 * and gets run on pooled channels (a channel closed by an error is dropped, not pooled); publishes
 * go through the backend's {@link ConfirmingPublisher}.
 */
final class IdempotencyClaims {

  /** How many times a claim starts over after a vanished queue or a holder that just expired. */
  static final int ATTEMPTS = 5;

  /** The longest a queue name may be, in UTF-8 bytes (an AMQP short string). */
  static final int MAX_QUEUE_NAME_BYTES = 255;

  private static final int STRIPES = 64;
  private static final int PRECONDITION_FAILED = 406;

  /** Who holds a claim: the call's id and where its reports go ({@code null} if not said). */
  record Holder(String callId, @Nullable String replyAddress) {}

  private final Connection connection;
  private final ConfirmingPublisher publisher;
  private final String prefix;
  private final long queueExpiryMillis;
  private final String replyAddress;
  private final Duration bound;
  private final ConcurrentLinkedDeque<Channel> idle = new ConcurrentLinkedDeque<>();
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  IdempotencyClaims(
      Connection connection,
      ConfirmingPublisher publisher,
      String prefix,
      Duration queueExpiry,
      String replyAddress,
      Duration bound) {
    this.connection = requireNonNull(connection, "connection");
    this.publisher = requireNonNull(publisher, "publisher");
    this.prefix = requireNonNull(prefix, "prefix");
    this.queueExpiryMillis = queueExpiry.toMillis();
    this.replyAddress = requireNonNull(replyAddress, "replyAddress");
    this.bound = requireNonNull(bound, "bound");
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * The claim queue of {@code idempotencyKey} under {@code taskName}: {@code <prefix>.idem.<length
   * of name>.<name>.<key>} (the length keeps {@code a.b}/{@code c} and {@code a}/{@code b.c}
   * apart), or {@code <prefix>.idem.h.<SHA-256 of name and key>} when that would pass 255 bytes.
   */
  static String queueName(String prefix, String taskName, String idempotencyKey) {
    String readable = prefix + ".idem." + taskName.length() + "." + taskName + "." + idempotencyKey;
    if (readable.getBytes(UTF_8).length <= MAX_QUEUE_NAME_BYTES) {
      return readable;
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(taskName.getBytes(UTF_8));
      sha.update((byte) 0);
      sha.update(idempotencyKey.getBytes(UTF_8));
      return prefix + ".idem.h." + HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Claims {@code idempotencyKey} of {@code taskName} for {@code candidateId}; returns the holder.
   *
   * @throws IllegalStateException if the broker does not answer within the bound, the claim queue
   *     exists with other arguments, or the claim does not settle in {@value #ATTEMPTS} attempts
   */
  Holder claim(String taskName, String idempotencyKey, String candidateId, Duration ttl) {
    String queue = queueName(prefix, taskName, idempotencyKey);
    ReentrantLock stripe = stripes[Math.floorMod(queue.hashCode(), STRIPES)];
    stripe.lock();
    try {
      for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        Holder holder = attempt(queue, candidateId, ttl);
        if (holder != null) {
          return holder;
        }
      }
      throw new IllegalStateException(
          "the idempotency claim on queue '"
              + queue
              + "' did not settle in "
              + ATTEMPTS
              + " attempts (the claim queue vanished or its holder expired each time)");
    } finally {
      stripe.unlock();
    }
  }

  /** Closes the pooled channels. */
  void close() {
    Channel channel;
    while ((channel = idle.pollFirst()) != null) {
      closeQuietly(channel);
    }
  }

  /** One try: the holder, or {@code null} to start over. */
  private @Nullable Holder attempt(String queue, String candidateId, Duration ttl) {
    Channel channel = take();
    boolean healthy = false;
    try {
      declare(channel, queue);
      AMQP.BasicProperties properties =
          new AMQP.BasicProperties.Builder()
              .deliveryMode(2)
              .replyTo(replyAddress)
              .messageId(candidateId)
              .expiration(Long.toString(Math.clamp(ttl.toMillis(), 1, queueExpiryMillis)))
              .build();
      try {
        await(publisher.publish("", queue, true, properties, candidateId.getBytes(UTF_8)), queue);
        healthy = true;
        return new Holder(candidateId, replyAddress);
      } catch (AmqpPublishException e) {
        if (e.unroutable() || e.getCause() != null) {
          healthy = true;
          return null; // the queue vanished (expired) after the declare, or the channel dropped
        }
      }
      GetResponse held = channel.basicGet(queue, false);
      if (held == null) {
        healthy = true;
        return null; // the holder expired between the nack and the get: the key is free again
      }
      channel.basicReject(held.getEnvelope().getDeliveryTag(), true);
      healthy = true;
      return new Holder(new String(held.getBody(), UTF_8), held.getProps().getReplyTo());
    } catch (IOException | ShutdownSignalException e) {
      throw new IllegalStateException(
          "the idempotency claim on queue '" + queue + "' failed: " + describe(e), e);
    } finally {
      if (healthy && channel.isOpen()) {
        idle.addFirst(channel);
      } else {
        closeQuietly(channel);
      }
    }
  }

  private void declare(Channel channel, String queue) throws IOException {
    try {
      channel.queueDeclare(
          queue,
          true,
          false,
          false,
          Map.of(
              "x-max-length", 1, "x-overflow", "reject-publish", "x-expires", queueExpiryMillis));
    } catch (IOException e) {
      if (e.getCause() instanceof ShutdownSignalException signal
          && signal.getReason() instanceof AMQP.Channel.Close close
          && close.getReplyCode() == PRECONDITION_FAILED) {
        throw new IllegalStateException(
            "the idempotency claim queue '"
                + queue
                + "' exists with other arguments than x-max-length 1, x-overflow reject-publish,"
                + " x-expires "
                + queueExpiryMillis
                + " ms: every caller sharing idempotency keys must use the same claimQueueExpiry"
                + " (AmqpBackend.Options); the broker said: "
                + close.getReplyText(),
            e);
      }
      throw e;
    }
    // The claim queue belongs to no consumer here and outlives this connection; recording it for
    // topology recovery would only grow the client's records by one entry per key ever claimed.
    if (connection instanceof AutorecoveringConnection recovering) {
      recovering.excludeQueueFromRecovery(queue, false);
    }
  }

  private void await(java.util.concurrent.CompletableFuture<Void> confirmed, String queue) {
    try {
      confirmed.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AmqpPublishException refused) {
        throw refused;
      }
      throw new IllegalStateException(
          "the idempotency claim on queue '" + queue + "' failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "RabbitMQ did not confirm the idempotency claim on queue '" + queue + "' within " + bound,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while claiming on queue '" + queue + "'", e);
    }
  }

  private Channel take() {
    Channel channel;
    while ((channel = idle.pollFirst()) != null) {
      if (channel.isOpen()) {
        return channel;
      }
    }
    try {
      Channel opened = connection.createChannel();
      if (opened == null) {
        throw new IllegalStateException("the RabbitMQ connection has no free channel for claims");
      }
      return opened;
    } catch (IOException | ShutdownSignalException e) {
      throw new IllegalStateException(
          "cannot open a channel for an idempotency claim: " + describe(e), e);
    }
  }

  private static String describe(Exception e) {
    if (e.getCause() instanceof ShutdownSignalException signal) {
      return signal.getMessage();
    }
    return String.valueOf(e.getMessage());
  }

  private static void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | ShutdownSignalException e) {
      // dropping it anyway
    }
  }
}
