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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency claims on RabbitMQ alone: per (task name, key), a durable claim queue that holds at
 * most one message, the claim, and a holder queue where the winner says who it is.
 *
 * <h2>Protocol</h2>
 *
 * <p>The claim queue is declared with {@code x-max-length} 1 and {@code x-overflow} {@code
 * reject-publish}, so of the publishes that find it empty exactly one is stored and the broker
 * refuses (nacks) the rest. A claimant declares both queues and publishes its candidate to the
 * claim queue, persistent, mandatory, with a per-message {@code expiration} of the claim's time to
 * live, and waits for the confirm. An ack means this claim won: the claimant then announces itself
 * on the holder queue (body: the call id; {@code reply-to}: its reply queue; expiring no later than
 * the claim) and returns. A nack means a claim is held: the claimant reads the announcement without
 * consuming it ({@code basic.get} without auto-ack, then {@code basic.reject} with requeue) and
 * returns its holder, waiting briefly if the winner has not announced yet. A claim that expires
 * leaves the claim queue empty, so the next claim wins. A return (the queue vanished between
 * declare and publish) starts over, at most {@value #ATTEMPTS} times.
 *
 * <p>Why two queues: a length limit counts ready messages only, and a message being read is
 * unacknowledged, not ready. Were the claim itself read, a publish racing with the read would be
 * stored too and believe it won. The claim queue is never read, so exactly one claimant wins per
 * claim; only the holder queue is read, and only the winner publishes to it (its {@code x-overflow}
 * is the default {@code drop-head}, so a later winner replaces an announcement left over).
 *
 * <h2>Fixed arguments</h2>
 *
 * <p>Declaring a queue that exists with other arguments fails ({@code PRECONDITION_FAILED}, and the
 * channel closes), and claimants race to declare. So the arguments never depend on a claim: the
 * time to live travels on the messages, and the queues' {@code x-expires} (which deletes a queue
 * nobody declared, read or published to for that long) is one fixed value per deployment, {@link
 * AmqpBackend.Options#claimQueueExpiry()} (25 hours by default). A claim's expiration is capped at
 * it, so the queues always outlive their claim; a claim asked to last longer lasts that long.
 *
 * <h2>Names</h2>
 *
 * <p>{@code <prefix>.idem.c.<length of name>.<name>.<key>} and {@code <prefix>.idem.h.…} (the same
 * after the role), or {@code <prefix>.idem.c.sha256.<hex>} and {@code <prefix>.idem.h.sha256.<hex>}
 * when the readable form would pass 255 bytes. The role comes before the variable part, so no key's
 * claim queue is another key's holder queue.
 *
 * <h2>Bounds and unknown outcomes</h2>
 *
 * <p>One deadline ({@code bound}, 10 seconds) covers a whole claim: the stripe lock, every declare,
 * publish, confirm and read is started only before it, and the broker's own RPCs are bounded by the
 * connection's RPC timeout; past it the claim fails with "RabbitMQ did not answer within 10 s". A
 * winner whose announcement fails tries again until the deadline (the publisher reopens a dropped
 * channel); a claim confirmed only after the deadline is still announced when the ack comes. A
 * claim whose channel drops before its confirm has an unknown outcome and fails at once. Every such
 * failure names the claim queue and its holder queue: if the claim was stored, the key stays held
 * until the claim expires, and deleting both queues frees it at once.
 *
 * <h2>Concurrency</h2>
 *
 * <p>Thread-safe. Claims of one key are serialised within this process (striped locks on the queue
 * name), so claimants sharing a backend never wait on each other's announcements. Declares and gets
 * run on pooled channels (a channel closed by an error is dropped, not pooled); publishes go
 * through the backend's {@link ConfirmingPublisher}. A winner that dies between its claim and its
 * announcement leaves the key unanswerable until the claim expires: later claims fail with {@link
 * IllegalStateException} after waits of {@link #ANNOUNCE_WAIT} until the deadline. Once the backend
 * is closed, claims end with "backend is closed".
 */
final class IdempotencyClaims {

  /** How many times a claim starts over after a vanished queue or a missing announcement. */
  static final int ATTEMPTS = 5;

  /** How long a refused claimant waits for the winner's announcement before starting over. */
  static final Duration ANNOUNCE_WAIT = Duration.ofSeconds(1);

  /** The longest a queue name may be, in UTF-8 bytes (an AMQP short string). */
  static final int MAX_QUEUE_NAME_BYTES = 255;

  private static final int STRIPES = 64;
  private static final String CLAIM = "c";
  private static final String HOLDER = "h";

  /** How long a winner waits before announcing itself again after a failed try. */
  private static final Duration ANNOUNCE_RETRY = Duration.ofMillis(100);

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
  private final Map<String, Object> claimArguments;
  private final Map<String, Object> holderArguments;
  private final BooleanSupplier closed;

  /**
   * @param bound how long one claim may take in all
   * @param closed whether the backend is closed: claims then end with "backend is closed"
   */
  IdempotencyClaims(
      Connection connection,
      ConfirmingPublisher publisher,
      String prefix,
      Duration queueExpiry,
      String replyAddress,
      Duration bound,
      BooleanSupplier closed) {
    this.closed = requireNonNull(closed, "closed");
    this.connection = requireNonNull(connection, "connection");
    this.publisher = requireNonNull(publisher, "publisher");
    this.prefix = requireNonNull(prefix, "prefix");
    this.queueExpiryMillis = queueExpiry.toMillis();
    this.replyAddress = requireNonNull(replyAddress, "replyAddress");
    this.bound = requireNonNull(bound, "bound");
    this.claimArguments =
        Map.of("x-max-length", 1, "x-overflow", "reject-publish", "x-expires", queueExpiryMillis);
    this.holderArguments = Map.of("x-max-length", 1, "x-expires", queueExpiryMillis);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * The claim queue of {@code idempotencyKey} under {@code taskName}: {@code
   * <prefix>.idem.c.<length of name>.<name>.<key>} (the length keeps {@code a.b}/{@code c} and
   * {@code a}/{@code b.c} apart), or {@code <prefix>.idem.c.sha256.<SHA-256 of name and key>} when
   * that would pass 255 bytes. The role ({@code c} claim, {@code h} holder) comes before the
   * variable part, so no key's claim queue is another key's holder queue.
   */
  static String queueName(String prefix, String taskName, String idempotencyKey) {
    return prefix + ".idem." + CLAIM + "." + suffix(prefix, taskName, idempotencyKey);
  }

  /** The queue where the winner of the claim on {@code idempotencyKey} announces itself. */
  static String holderQueue(String prefix, String taskName, String idempotencyKey) {
    return prefix + ".idem." + HOLDER + "." + suffix(prefix, taskName, idempotencyKey);
  }

  /** What follows {@code <prefix>.idem.<role>.} in both queue names. */
  private static String suffix(String prefix, String taskName, String idempotencyKey) {
    String readable = taskName.length() + "." + taskName + "." + idempotencyKey;
    String longest = prefix + ".idem." + CLAIM + "." + readable;
    if (longest.getBytes(UTF_8).length <= MAX_QUEUE_NAME_BYTES) {
      return readable;
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(taskName.getBytes(UTF_8));
      sha.update((byte) 0);
      sha.update(idempotencyKey.getBytes(UTF_8));
      return "sha256." + HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Claims {@code idempotencyKey} of {@code taskName} for {@code candidateId}; returns the holder.
   *
   * @throws IllegalStateException if the backend is closed ("backend is closed"), the broker does
   *     not answer within the bound, the claim queue exists with other arguments, the claim's
   *     outcome is unknown (the channel dropped), or the claim does not settle in {@value
   *     #ATTEMPTS} attempts
   */
  Holder claim(String taskName, String idempotencyKey, String candidateId, Duration ttl) {
    long deadline = System.nanoTime() + bound.toNanos();
    Queues queues =
        new Queues(
            queueName(prefix, taskName, idempotencyKey),
            holderQueue(prefix, taskName, idempotencyKey));
    ReentrantLock stripe = stripes[Math.floorMod(queues.claim().hashCode(), STRIPES)];
    try {
      if (!stripe.tryLock(remaining(deadline, queues), TimeUnit.NANOSECONDS)) {
        throw notAnswered(queues, null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while claiming on queue '" + queues + "'", e);
    }
    try {
      for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        Holder holder = attempt(queues, candidateId, ttl, deadline);
        if (holder != null) {
          return holder;
        }
      }
      throw new IllegalStateException(
          "the idempotency claim on "
              + queues
              + " did not settle in "
              + ATTEMPTS
              + " attempts: the claim queue vanished each time, or a claim is held but its winner"
              + " has not said who it is (it may have died before it could). The key stays held"
              + " until the claim expires; deleting both queues frees it at once");
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

  /** A key's claim queue and holder queue. */
  private record Queues(String claim, String holder) {
    @Override
    public String toString() {
      return "claim queue '" + claim + "' (holder queue '" + holder + "')";
    }
  }

  /** One try: the holder, or {@code null} to start over. */
  private @Nullable Holder attempt(Queues queues, String candidateId, Duration ttl, long deadline) {
    if (closed.getAsBoolean()) {
      throw AmqpBackend.closedException();
    }
    remaining(deadline, queues);
    Channel channel = take();
    boolean healthy = false;
    try {
      declare(channel, queues.claim(), claimArguments, "x-max-length 1, x-overflow reject-publish");
      remaining(deadline, queues);
      declare(channel, queues.holder(), holderArguments, "x-max-length 1");
      long ttlMillis = Math.clamp(ttl.toMillis(), 1, queueExpiryMillis);
      byte[] body = candidateId.getBytes(UTF_8);
      long publishing = System.nanoTime();
      CompletableFuture<Void> claimed =
          publisher.publish("", queues.claim(), true, properties(candidateId, ttlMillis), body);
      try {
        await(claimed, queues, deadline);
      } catch (AmqpPublishException e) {
        if (e.unroutable()) {
          healthy = true;
          return null; // the queue vanished (expired) after the declare
        }
        if (e.getCause() != null) {
          throw new IllegalStateException(
              "the idempotency claim on "
                  + queues
                  + " has an unknown outcome: the channel dropped before RabbitMQ confirmed it ("
                  + e.getMessage()
                  + "). If the broker stored it, the key stays held, unanswered, until the claim"
                  + " expires; deleting both queues frees it at once",
              e);
        }
        remaining(deadline, queues);
        Holder holder = readHolder(channel, queues, deadline); // refused: a claim is held
        healthy = true;
        return holder;
      } catch (ConfirmTimeout e) {
        // The broker may still store and ack the claim: then announce it, so the key is answered.
        var _ =
            claimed.thenRun(
                () -> {
                  var _ =
                      publisher.publish(
                          "",
                          queues.holder(),
                          true,
                          properties(candidateId, left(ttlMillis, publishing)),
                          body);
                });
        throw notAnswered(queues, e);
      }
      announce(queues, candidateId, body, ttlMillis, publishing, deadline);
      healthy = true;
      return new Holder(candidateId, replyAddress);
    } catch (IOException | ShutdownSignalException e) {
      if (closed.getAsBoolean()) {
        throw AmqpBackend.closedException();
      }
      throw new IllegalStateException(
          "the idempotency claim on " + queues + " failed: " + describe(e), e);
    } finally {
      if (healthy && channel.isOpen()) {
        idle.addFirst(channel);
      } else {
        closeQuietly(channel);
      }
    }
  }

  /**
   * Announces the won claim on the holder queue, trying again until the deadline when a try fails
   * (the channel dropped and is recovering, or the holder queue vanished): only this winner ever
   * publishes there, and without it every later claimant fails until the claim expires.
   */
  private void announce(
      Queues queues,
      String candidateId,
      byte[] body,
      long ttlMillis,
      long publishing,
      long deadline) {
    while (true) {
      if (closed.getAsBoolean()) {
        throw AmqpBackend.closedException();
      }
      try {
        // The claim's time to live began after `publishing`; the announcement expires no later.
        await(
            publisher.publish(
                "",
                queues.holder(),
                true,
                properties(candidateId, left(ttlMillis, publishing)),
                body),
            queues,
            deadline);
        return;
      } catch (AmqpPublishException | IllegalStateException e) {
        if (System.nanoTime() - deadline >= 0) {
          throw new IllegalStateException(
              "the idempotency claim on "
                  + queues
                  + " was won but could not be announced within "
                  + bound
                  + ": "
                  + e.getMessage()
                  + "; the key stays held, unanswered, until the claim expires; deleting both"
                  + " queues frees it at once",
              e);
        }
        LockSupport.parkNanos(ANNOUNCE_RETRY.toNanos());
        if (e instanceof AmqpPublishException refused && refused.unroutable()) {
          redeclareHolder(queues);
        }
      } catch (ConfirmTimeout e) {
        throw notAnswered(queues, e);
      }
    }
  }

  private void redeclareHolder(Queues queues) {
    Channel channel = take();
    try {
      declare(channel, queues.holder(), holderArguments, "x-max-length 1");
      idle.addFirst(channel);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel); // the next try of the announcement says why
    }
  }

  private static long left(long ttlMillis, long publishing) {
    return Math.max(1, ttlMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - publishing));
  }

  /** The nanoseconds left before {@code deadline}; throws if none are. */
  private long remaining(long deadline, Queues queues) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw notAnswered(queues, null);
    }
    return left;
  }

  private IllegalStateException notAnswered(Queues queues, @Nullable Throwable cause) {
    return new IllegalStateException(
        "RabbitMQ did not answer within "
            + (bound.toMillis() % 1000 == 0 ? bound.toSeconds() + " s" : bound.toMillis() + " ms")
            + " while claiming on "
            + queues
            + "; if the claim was stored, the key stays held until it expires (deleting both"
            + " queues frees it at once)",
        cause);
  }

  private AMQP.BasicProperties properties(String candidateId, long expirationMillis) {
    return new AMQP.BasicProperties.Builder()
        .deliveryMode(2)
        .replyTo(replyAddress)
        .messageId(candidateId)
        .expiration(Long.toString(expirationMillis))
        .build();
  }

  /**
   * Reads the winner's announcement without consuming it, waiting up to {@link #ANNOUNCE_WAIT} for
   * one (the winner announces once its claim is confirmed, a round trip after the refusal we got);
   * {@code null} if none came, to start over (the claim may have expired meanwhile).
   */
  private @Nullable Holder readHolder(Channel channel, Queues queues, long deadline)
      throws IOException {
    long until = System.nanoTime() + ANNOUNCE_WAIT.toNanos();
    while (true) {
      remaining(deadline, queues);
      GetResponse held = channel.basicGet(queues.holder(), false);
      if (held != null) {
        channel.basicReject(held.getEnvelope().getDeliveryTag(), true);
        return new Holder(new String(held.getBody(), UTF_8), held.getProps().getReplyTo());
      }
      if (System.nanoTime() - until >= 0) {
        return null;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private void declare(Channel channel, String queue, Map<String, Object> arguments, String what)
      throws IOException {
    try {
      channel.queueDeclare(queue, true, false, false, arguments);
    } catch (IOException e) {
      if (e.getCause() instanceof ShutdownSignalException signal
          && signal.getReason() instanceof AMQP.Channel.Close close
          && close.getReplyCode() == PRECONDITION_FAILED) {
        throw new IllegalStateException(
            "the idempotency queue '"
                + queue
                + "' exists with other arguments than "
                + what
                + ", x-expires "
                + queueExpiryMillis
                + " ms: every caller sharing idempotency keys must use the same claimQueueExpiry"
                + " (AmqpBackend.Options); the broker said: "
                + close.getReplyText(),
            e);
      }
      throw e;
    }
    // The queue belongs to no consumer here and outlives this connection; recording it for
    // topology recovery would only grow the client's records by one entry per key ever claimed.
    if (connection instanceof AutorecoveringConnection recovering) {
      recovering.excludeQueueFromRecovery(queue, false);
    }
  }

  /** Waits for the broker's confirm until the deadline. */
  private void await(CompletableFuture<Void> confirmed, Queues queues, long deadline)
      throws ConfirmTimeout {
    try {
      confirmed.get(remaining(deadline, queues), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AmqpPublishException refused) {
        throw refused;
      }
      throw new IllegalStateException(
          "the idempotency claim on " + queues + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new ConfirmTimeout(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while claiming on " + queues, e);
    }
  }

  /** The broker did not confirm a publish before the claim's deadline. */
  private static final class ConfirmTimeout extends Exception {
    private static final long serialVersionUID = 1L;

    ConfirmTimeout(TimeoutException cause) {
      super(cause);
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
