package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a RabbitMQ stream (an append-only log that every reader reads whole) from an offset and
 * hands each message to a {@link Reader}: how {@link AmqpBroker} learns every revocation and recent
 * heartbeat, including those written before it started.
 *
 * <h2>Catching up</h2>
 *
 * <p>A reader never knows by itself that it has read to the end. {@link #barrier} appends a
 * sentinel (type {@value #SENTINEL}) and waits until the reader reaches it: every message confirmed
 * before the sentinel was written has then been read. {@link #awaitRead} waits for one message by
 * its id.
 *
 * <h2>Concurrency</h2>
 *
 * <p>The client calls the consumer on its own thread, one message at a time; the {@link Reader}
 * runs there and must be quick. {@code awaited} is a concurrent map filled by waiters and emptied
 * by the consumer. After a connection recovery the client consumes again from the same offset
 * specification, so the reader sees messages again: readers must be idempotent. A server cancel or
 * a channel error stops the consumer for good (the client recovers only a lost connection): {@link
 * #isBroken()} then says so, waiters fail, and the owner opens a new log.
 */
final class StreamLog implements AutoCloseable {
  static final String SENTINEL = "baton-sentinel";

  /** Takes one message of the stream. */
  @FunctionalInterface
  interface Reader {
    void read(AMQP.BasicProperties properties, byte[] body);
  }

  private final String stream;
  private final Channel channel;
  private final Map<String, CompletableFuture<Void>> awaited = new ConcurrentHashMap<>();
  private volatile boolean broken;

  /**
   * Starts reading {@code stream} at {@code offset} (as {@code x-stream-offset} takes it: {@code
   * "first"}, {@code "next"} or a {@link java.util.Date}).
   */
  StreamLog(Connection connection, String stream, Object offset, Reader reader) throws IOException {
    this.stream = stream;
    Channel opened = connection.createChannel();
    if (opened == null) {
      throw new IOException("the connection has no free channel to read " + stream);
    }
    this.channel = opened;
    try {
      consume(offset, reader);
    } catch (IOException | RuntimeException e) {
      AmqpBroker.abortQuietly(opened); // the server closed it: the connection must forget it
      throw e;
    }
  }

  private void consume(Object offset, Reader reader) throws IOException {
    channel.basicQos(1000);
    channel.basicConsume(
        stream,
        false,
        Map.of("x-stream-offset", offset),
        new DefaultConsumer(channel) {
          @Override
          public void handleDelivery(
              String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
              throws IOException {
            if (!SENTINEL.equals(properties.getType())) {
              try {
                reader.read(properties, body);
              } catch (RuntimeException e) {
                // a message that is not one of ours; thrown out, it would close the channel
              }
            }
            String id = properties.getMessageId();
            if (id != null) {
              CompletableFuture<Void> waiter = awaited.remove(id);
              if (waiter != null) {
                waiter.complete(null);
              }
            }
            try {
              channel.basicAck(envelope.getDeliveryTag(), false);
            } catch (IOException | ShutdownSignalException e) {
              // the reader is closing: nothing left to acknowledge on
            }
          }

          @Override
          public void handleCancel(String consumerTag) {
            broken("the server cancelled the reader of " + stream);
          }

          @Override
          public void handleShutdownSignal(String consumerTag, ShutdownSignalException cause) {
            // the connection's loss is recovered by the client, consumer and all; nothing else is
            if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
              broken("the reader of " + stream + " stopped: " + cause.getMessage());
            }
          }
        });
  }

  /**
   * Whether this reader stopped for good (its consumer cancelled by the server, or its channel
   * closed by an error): what it has read is frozen, and its owner opens a new one.
   */
  boolean isBroken() {
    return broken;
  }

  private void broken(String why) {
    broken = true;
    IllegalStateException failure = new IllegalStateException(why);
    for (String id : List.copyOf(awaited.keySet())) {
      CompletableFuture<Void> waiter = awaited.remove(id);
      if (waiter != null) {
        waiter.completeExceptionally(failure);
      }
    }
  }

  /**
   * A stage that completes when the message with id {@code messageId} has been read, and fails if
   * this reader stops first.
   */
  CompletableFuture<Void> awaitRead(String messageId) {
    if (broken) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("the reader of " + stream + " has stopped"));
    }
    return awaited.computeIfAbsent(messageId, id -> new CompletableFuture<>());
  }

  /** Stops waiting for {@code messageId} (its publish failed). */
  void forget(String messageId) {
    awaited.remove(messageId);
  }

  /**
   * Appends a sentinel through {@code publisher} and waits until this reader has read it.
   *
   * @throws IllegalStateException if that takes longer than {@code bound}
   */
  void barrier(ConfirmingPublisher publisher, Duration bound) {
    String id = UUID.randomUUID().toString();
    CompletableFuture<Void> read = awaitRead(id);
    AMQP.BasicProperties sentinel =
        new AMQP.BasicProperties.Builder().type(SENTINEL).messageId(id).deliveryMode(2).build();
    var _ =
        publisher
            .publish("", stream, true, sentinel, new byte[0])
            .whenComplete(
                (v, e) -> {
                  if (e != null) {
                    read.completeExceptionally(e); // no sentinel to wait for: say why at once
                  }
                });
    try {
      read.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading " + stream, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "could not read " + stream + " to its end: " + AmqpBroker.describe(e), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "could not read " + stream + " to its end within " + bound, e);
    } finally {
      awaited.remove(id);
    }
  }

  @Override
  public void close() {
    AmqpBroker.closeQuietly(channel); // aborts one the server closed, so it is not recovered
  }
}
