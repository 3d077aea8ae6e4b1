package dev.baton.amqp;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Publishes on one channel in confirm mode and completes each publish's future when the broker
 * confirms it: the one way Baton's broker and backend make a message durable before going on.
 *
 * <h2>Design</h2>
 *
 * <p>Confirms are asynchronous: a publish takes the channel's next sequence number and returns at
 * once, and the broker's acks (often {@code multiple}, covering every number up to a tag) complete
 * the futures, so many publishes are in flight on one channel. A mandatory publish that no queue
 * takes comes back as a {@code basic.return} before its ack; it carries the sequence number in the
 * header {@value #SEQUENCE_HEADER}, and its future fails with {@link
 * AmqpPublishException#unroutable()}.
 *
 * <p>The futures are matched to the broker's acks by number only, so the client's count must stay
 * the broker's: a publish that took a number without sending the message (the client refused it,
 * for example headers longer than a frame) ends the channel, and so does a publish whose number is
 * not the one the channel then expects. Every publish pending on that channel fails and a fresh
 * channel takes over.
 *
 * <h2>Concurrency</h2>
 *
 * <p>Thread-safe. {@code publishing} makes taking a sequence number, recording the future and
 * writing the frames one step, so numbers match the order the broker sees, and guards which channel
 * is current. Each channel has its own {@code pending} map, a concurrent sorted map: the client's
 * connection thread removes from it (acks, nacks, returns) while publishers add to it; a channel's
 * listeners only ever touch its own map, so a late ack of an old channel cannot complete a future
 * of a new one. Futures complete on that connection thread, so their dependents must not make
 * blocking AMQP calls (a synchronous declare there would wait on the thread that has to deliver its
 * answer); asynchronous ones such as {@code basicAck} and further publishes are fine.
 *
 * <h2>Failure</h2>
 *
 * <p>When the channel shuts down, every unconfirmed publish fails: the broker may or may not hold
 * it, and the caller decides (Baton's senders report the failure; at-least-once redelivery covers
 * the rest). If the connection dropped, the client's recovery reopens the channel in confirm mode
 * with sequence numbers from 1 again; a publish made before confirm mode is back fails at once. A
 * channel error (an exchange that does not exist, a message over the server's size limit), which
 * the client does not recover, makes this publisher abort the channel and open a new one on a
 * thread of its own; publishes fail at once until it is open, and the owner's listener is told.
 */
final class ConfirmingPublisher implements AutoCloseable {

  /** The header that carries a mandatory publish's sequence number, to match its return. */
  static final String SEQUENCE_HEADER = "x-baton-publish-seq";

  /** How long to wait between attempts to open a replacement channel. */
  private static final long REOPEN_PAUSE_MILLIS = 1_000;

  private final Connection connection;
  private final String name;
  private final Consumer<String> onReplaced;
  private final ReentrantLock publishing = new ReentrantLock();

  /** The current channel, or null while a replacement is being opened. */
  @GuardedBy("publishing")
  private @Nullable Lane lane;

  @GuardedBy("publishing")
  private boolean closed;

  /** One confirm-mode channel and the publishes it has not confirmed yet. */
  private static final class Lane {
    final Channel channel;
    final ConcurrentNavigableMap<Long, CompletableFuture<Void>> pending =
        new ConcurrentSkipListMap<>();

    Lane(Channel channel) {
      this.channel = channel;
    }
  }

  /**
   * Opens a channel on {@code connection} in confirm mode.
   *
   * @param name what the publisher is for, in error messages
   * @throws IOException if the channel cannot be opened
   */
  ConfirmingPublisher(Connection connection, String name) throws IOException {
    this(connection, name, why -> {});
  }

  /**
   * Opens a channel on {@code connection} in confirm mode; {@code onReplaced} is told (on a thread
   * of this publisher's) each time a channel closed by an error has been replaced, with why, for a
   * WARNING event.
   *
   * @throws IOException if the channel cannot be opened
   */
  ConfirmingPublisher(Connection connection, String name, Consumer<String> onReplaced)
      throws IOException {
    this.connection = connection;
    this.name = name;
    this.onReplaced = onReplaced;
    Lane first = openLane();
    publishing.lock();
    try {
      lane = first;
    } finally {
      publishing.unlock();
    }
  }

  private Lane openLane() throws IOException {
    Channel opened = connection.createChannel();
    if (opened == null) {
      throw new IOException("the connection has no free channel for the " + name + " publisher");
    }
    Lane created = new Lane(opened);
    try {
      opened.addConfirmListener(
          new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
              settle(created, tag, multiple, null);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
              settle(
                  created,
                  tag,
                  multiple,
                  new AmqpPublishException(
                      "the broker refused the message (nack) on " + name, false));
            }
          });
      opened.addReturnListener(returned -> returned(created, returned));
      opened.addShutdownListener(cause -> shutDown(created, cause));
      opened.confirmSelect();
    } catch (IOException | RuntimeException e) {
      AmqpBroker.closeQuietly(opened);
      throw e;
    }
    return created;
  }

  /**
   * Publishes {@code body}; the future completes when the broker has confirmed it, and fails with
   * {@link AmqpPublishException} if the broker refuses it, returns it (mandatory and unroutable) or
   * the channel closes first.
   */
  CompletableFuture<Void> publish(
      String exchange,
      String routingKey,
      boolean mandatory,
      AMQP.BasicProperties properties,
      byte[] body) {
    CompletableFuture<Void> confirmed = new CompletableFuture<>();
    publishing.lock();
    try {
      if (closed) {
        confirmed.completeExceptionally(
            new AmqpPublishException("the " + name + " publisher is closed", false));
        return confirmed;
      }
      Lane current = lane;
      if (current == null || !current.channel.isOpen()) {
        confirmed.completeExceptionally(
            new AmqpPublishException(
                "the " + name + " channel is closed (being reopened); not published", false));
        return confirmed;
      }
      Channel channel = current.channel;
      long sequence = channel.getNextPublishSeqNo();
      if (sequence == 0) {
        // the client swaps in a recovered channel before it puts it back in confirm mode
        confirmed.completeExceptionally(
            new AmqpPublishException(
                "the " + name + " channel is not in confirm mode yet (recovering)", false));
        return confirmed;
      }
      AMQP.BasicProperties sent = mandatory ? withSequence(properties, sequence) : properties;
      current.pending.put(sequence, confirmed);
      try {
        channel.basicPublish(exchange, routingKey, mandatory, sent, body);
      } catch (IOException | RuntimeException e) {
        complete(
            current.pending.remove(sequence),
            new AmqpPublishException(
                "could not publish on " + name + " to '" + routingKey + "': " + e.getMessage(), e));
        if (channel.isOpen() && channel.getNextPublishSeqNo() != sequence) {
          // the client counted a message the broker never saw: every later ack would be off by one
          retire(current, "a publish took a sequence number but was not sent (" + e + ")");
        }
        return confirmed;
      }
      if (channel.getNextPublishSeqNo() != sequence + 1) {
        // the channel was swapped (recovery) between taking the number and publishing
        retire(current, "the channel's sequence numbers moved under a publish");
      }
    } finally {
      publishing.unlock();
    }
    return confirmed;
  }

  /** Closes the channel; unconfirmed publishes fail. Idempotent. */
  @Override
  public void close() {
    Lane current;
    publishing.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      current = lane;
      lane = null;
    } finally {
      publishing.unlock();
    }
    if (current != null) {
      AmqpBroker.closeQuietly(current.channel);
      failAll(current, new AmqpPublishException("the " + name + " publisher closed", false));
    }
  }

  /**
   * Takes {@code retired} out of use (if still current), fails what it has pending, closes it and
   * opens a replacement on a thread of its own (opening is a blocking call, and this may run on the
   * connection's thread).
   */
  private void retire(Lane retired, String why) {
    publishing.lock();
    try {
      if (closed || lane != retired) {
        return;
      }
      lane = null;
    } finally {
      publishing.unlock();
    }
    failAll(
        retired,
        new AmqpPublishException(
            "the " + name + " channel was replaced before the broker confirmed: " + why, false));
    Thread.ofVirtual().name("baton-amqp-publisher-reopen").start(() -> replace(retired, why));
  }

  private void replace(Lane retired, String why) {
    AmqpBroker.closeQuietly(retired.channel); // aborted if the server closed it: not recovered
    while (true) {
      publishing.lock();
      try {
        if (closed) {
          return;
        }
      } finally {
        publishing.unlock();
      }
      ShutdownSignalException connectionClosed = connection.getCloseReason();
      if (connectionClosed != null && connectionClosed.isInitiatedByApplication()) {
        return; // the owner closed the connection: nothing to publish on any more
      }
      try {
        Lane fresh = openLane();
        publishing.lock();
        try {
          if (closed) {
            AmqpBroker.closeQuietly(fresh.channel);
            return;
          }
          lane = fresh;
        } finally {
          publishing.unlock();
        }
        onReplaced.accept("the " + name + " publishing channel was reopened after: " + why);
        return;
      } catch (IOException | RuntimeException e) {
        try {
          Thread.sleep(REOPEN_PAUSE_MILLIS); // the connection is down: its recovery comes first
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static AMQP.BasicProperties withSequence(AMQP.BasicProperties properties, long sequence) {
    Map<String, Object> headers = new HashMap<>();
    Map<String, Object> given = properties.getHeaders();
    if (given != null) {
      headers.putAll(given);
    }
    headers.put(SEQUENCE_HEADER, sequence);
    return properties.builder().headers(headers).build();
  }

  private static void settle(
      Lane lane, long tag, boolean multiple, @Nullable AmqpPublishException failure) {
    if (multiple) {
      Map<Long, CompletableFuture<Void>> upTo = lane.pending.headMap(tag, true);
      for (Long sequence : List.copyOf(upTo.keySet())) {
        complete(lane.pending.remove(sequence), failure);
      }
    } else {
      complete(lane.pending.remove(tag), failure);
    }
  }

  private static void complete(
      @Nullable CompletableFuture<Void> future, @Nullable AmqpPublishException failure) {
    if (future == null) {
      return; // already failed by its return, or by a shutdown
    }
    if (failure == null) {
      future.complete(null);
    } else {
      future.completeExceptionally(failure);
    }
  }

  private static void returned(Lane lane, Return returned) {
    Map<String, Object> headers = returned.getProperties().getHeaders();
    Object sequence = headers == null ? null : headers.get(SEQUENCE_HEADER);
    if (sequence instanceof Long number) {
      complete(
          lane.pending.remove(number),
          new AmqpPublishException(
              "no queue took the message to '"
                  + returned.getRoutingKey()
                  + "' on "
                  + (returned.getExchange().isEmpty()
                      ? "the default exchange"
                      : returned.getExchange())
                  + " ("
                  + returned.getReplyText()
                  + ")",
              true));
    }
  }

  private void shutDown(Lane closedLane, ShutdownSignalException cause) {
    failAll(
        closedLane,
        new AmqpPublishException(
            "the " + name + " channel closed before the broker confirmed: " + cause.getMessage(),
            cause));
    if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
      // a channel error: the client recovers lost connections only, so this channel is gone
      retire(closedLane, "RabbitMQ closed it: " + cause.getMessage());
    }
  }

  private static void failAll(Lane lane, AmqpPublishException failure) {
    for (Long sequence : List.copyOf(lane.pending.keySet())) {
      complete(lane.pending.remove(sequence), failure);
    }
  }
}
