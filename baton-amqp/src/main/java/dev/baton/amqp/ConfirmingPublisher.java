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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
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
 * <h2>Concurrency</h2>
 *
 * <p>Thread-safe. {@code publishing} makes taking a sequence number, recording the future and
 * writing the frames one step, so numbers match the order the broker sees. {@code pending} is a
 * concurrent sorted map: the client's connection thread removes from it (acks, nacks, returns)
 * while publishers add to it. Futures complete on that connection thread, so their dependents must
 * not make blocking AMQP calls (a synchronous declare there would wait on the thread that has to
 * deliver its answer); asynchronous ones such as {@code basicAck} and further publishes are fine.
 *
 * <p>When the channel shuts down (the connection dropped, or {@link #close()}), every unconfirmed
 * publish fails: the broker may or may not hold it, and the caller decides (Baton's senders report
 * the failure; at-least-once redelivery covers the rest). The client's recovery reopens the channel
 * in confirm mode with sequence numbers from 1 again, after the old ones have all failed.
 */
final class ConfirmingPublisher implements AutoCloseable {

  /** The header that carries a mandatory publish's sequence number, to match its return. */
  static final String SEQUENCE_HEADER = "x-baton-publish-seq";

  private final Channel channel;
  private final String name;
  private final ReentrantLock publishing = new ReentrantLock();
  private final ConcurrentNavigableMap<Long, CompletableFuture<Void>> pending =
      new ConcurrentSkipListMap<>();

  @GuardedBy("publishing")
  private boolean closed;

  /**
   * Opens a channel on {@code connection} in confirm mode.
   *
   * @param name what the publisher is for, in error messages
   * @throws IOException if the channel cannot be opened
   */
  ConfirmingPublisher(Connection connection, String name) throws IOException {
    this.name = name;
    Channel opened = connection.createChannel();
    if (opened == null) {
      throw new IOException("the connection has no free channel for the " + name + " publisher");
    }
    this.channel = opened;
    channel.addConfirmListener(
        new ConfirmListener() {
          @Override
          public void handleAck(long tag, boolean multiple) {
            settle(tag, multiple, null);
          }

          @Override
          public void handleNack(long tag, boolean multiple) {
            settle(
                tag,
                multiple,
                new AmqpPublishException(
                    "the broker refused the message (nack) on " + name, false));
          }
        });
    channel.addReturnListener(this::returned);
    channel.addShutdownListener(this::shutDown);
    channel.confirmSelect();
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
      long sequence = channel.getNextPublishSeqNo();
      AMQP.BasicProperties sent = mandatory ? withSequence(properties, sequence) : properties;
      pending.put(sequence, confirmed);
      try {
        channel.basicPublish(exchange, routingKey, mandatory, sent, body);
      } catch (IOException | ShutdownSignalException e) {
        pending.remove(sequence);
        confirmed.completeExceptionally(
            new AmqpPublishException(
                "could not publish on " + name + " to '" + routingKey + "': " + e.getMessage(), e));
      }
    } finally {
      publishing.unlock();
    }
    return confirmed;
  }

  /** Closes the channel; unconfirmed publishes fail. Idempotent. */
  @Override
  public void close() {
    publishing.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      publishing.unlock();
    }
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | java.util.concurrent.TimeoutException | ShutdownSignalException e) {
      // closing anyway; the shutdown listener fails what was pending
    } finally {
      failAll(new AmqpPublishException("the " + name + " publisher closed", false));
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

  private void settle(long tag, boolean multiple, @Nullable AmqpPublishException failure) {
    if (multiple) {
      Map<Long, CompletableFuture<Void>> upTo = pending.headMap(tag, true);
      for (Long sequence : upTo.keySet()) {
        complete(pending.remove(sequence), failure);
      }
    } else {
      complete(pending.remove(tag), failure);
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

  private void returned(Return returned) {
    Map<String, Object> headers = returned.getProperties().getHeaders();
    Object sequence = headers == null ? null : headers.get(SEQUENCE_HEADER);
    if (sequence instanceof Long number) {
      complete(
          pending.remove(number),
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

  private void shutDown(ShutdownSignalException cause) {
    failAll(
        new AmqpPublishException(
            "the " + name + " channel closed before the broker confirmed: " + cause.getMessage(),
            cause));
  }

  private void failAll(AmqpPublishException failure) {
    for (Long sequence : pending.keySet()) {
      complete(pending.remove(sequence), failure);
    }
  }
}
