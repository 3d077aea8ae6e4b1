package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.TaskEnvelope;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the broker tests share: a fresh name prefix per test class, deleting everything a broker
 * made on the server, and waiting until the server's timers have run for a while.
 */
final class AmqpBrokerTests {
  private AmqpBrokerTests() {}

  /** {@code baton-test-} and 8 random hex digits, so test classes never share a topology. */
  static String uniquePrefix() {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    return "baton-test-" + HexFormat.of().formatHex(random);
  }

  /** Deletes the task queues {@code broker} declared or consumed. */
  static void deleteTaskQueues(AmqpBroker broker) throws IOException, TimeoutException {
    BrokerTopology names = broker.names();
    try (Connection connection = connection()) {
      for (String queue : broker.knownQueues()) {
        delete(connection, names.taskQueue(queue), true);
      }
    }
  }

  /** Deletes the queue {@code name}. */
  static void deleteQueue(String name) throws IOException, TimeoutException {
    try (Connection connection = connection()) {
      delete(connection, name, true);
    }
  }

  /** Deletes every fixed queue and exchange under {@code prefix}. */
  static void deleteTopology(String prefix) throws IOException, TimeoutException {
    BrokerTopology names = new BrokerTopology(prefix, false);
    try (Connection connection = connection()) {
      for (String queue : names.fixedQueues()) {
        delete(connection, queue, true);
      }
      for (String exchange : names.exchanges()) {
        delete(connection, exchange, false);
      }
    }
  }

  private static void delete(Connection connection, String name, boolean queue) throws IOException {
    Channel channel = connection.createChannel();
    try {
      if (queue) {
        channel.queueDelete(name);
      } else {
        channel.exchangeDelete(name);
      }
    } finally {
      try {
        if (channel.isOpen()) {
          channel.close();
        }
      } catch (TimeoutException | IOException | RuntimeException e) {
        // deleting anyway
      }
    }
  }

  static Connection connection() throws IOException, TimeoutException {
    return AmqpConnections.factory(AmqpTests.uri()).newConnection("baton-broker-test");
  }

  /**
   * Waits (at most {@code delay} plus {@code bound}) until a probe task sent now through {@code
   * broker}'s delay cascade with an eta {@code delay} ahead of its clock has come out: the server's
   * timers, which no test clock moves, have then run that long for everything delayed before. Sends
   * the probe to a queue of its own and deletes it after; runs {@code afterSend} once the probe is
   * on its way (to move the test's clock).
   */
  static void awaitServerDelay(
      AmqpBroker broker, Instant now, Duration delay, Duration bound, Runnable afterSend)
      throws Exception {
    String probe = broker.names().prefix() + "-probe-" + UUID.randomUUID();
    broker.declare(probe);
    try (Connection connection = connection()) {
      Channel channel = connection.createChannel();
      CompletableFuture<Void> arrived = new CompletableFuture<>();
      channel.basicConsume(
          broker.names().taskQueue(probe),
          true,
          new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(
                String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
              arrived.complete(null);
            }
          });
      TaskEnvelope task =
          new TaskEnvelope(
              EnvelopeCodec.VERSION,
              new TaskKey(probe, "probe"),
              probe,
              Marshallers.JSON,
              Marshallers.JSON,
              "[]".getBytes(java.nio.charset.StandardCharsets.UTF_8),
              1,
              TaskOptions.builder().eta(now.plus(delay)).build(),
              now,
              null,
              null);
      broker.send(task).toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
      afterSend.run();
      try {
        arrived.get(delay.plus(bound).toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(
            "a probe delayed by " + delay + " did not come out of the delay queues in time", e);
      }
      channel.queueDelete(broker.names().taskQueue(probe));
    }
  }
}
