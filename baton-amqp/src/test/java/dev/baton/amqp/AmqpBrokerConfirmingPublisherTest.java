package dev.baton.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker's publisher after a channel error or a publish the client refused: publishing goes on
 * on a new channel, and confirms stay matched to their publishes.
 */
class AmqpBrokerConfirmingPublisherTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  private Connection connection;
  private String queue;
  private final LinkedBlockingQueue<String> replaced = new LinkedBlockingQueue<>();
  private ConfirmingPublisher publisher;

  @BeforeEach
  void connect() throws Exception {
    connection = AmqpBrokerTests.connection();
    Channel channel = connection.createChannel();
    queue = channel.queueDeclare().getQueue(); // exclusive to this connection, deleted with it
    publisher = new ConfirmingPublisher(connection, "test", replaced::add);
  }

  @AfterEach
  void close() throws Exception {
    publisher.close();
    connection.close();
  }

  private CompletableFuture<Void> publishTo(String exchange, String routingKey) {
    return publisher.publish(
        exchange,
        routingKey,
        true,
        new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
        new byte[] {1});
  }

  private static void awaitDone(CompletableFuture<Void> future) throws Exception {
    future.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void awaitReplaced() throws InterruptedException {
    String why = replaced.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(why).as("the owner is told the channel was replaced").isNotNull();
  }

  /** A publish to an exchange that does not exist closes the channel (404); publishing goes on. */
  @Test
  void publishingGoesOnAfterAChannelError() throws Exception {
    assertThatThrownBy(() -> awaitDone(publishTo("baton-test-no-such-exchange", "x")))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("NOT_FOUND");
    awaitReplaced();
    awaitDone(publishTo("", queue));
    assertThatThrownBy(() -> awaitDone(publishTo("", queue + "-not-there")))
        .as("a later unroutable publish still fails: confirms are matched")
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("no queue took");
  }

  /**
   * A publish whose headers exceed a frame is refused by the client after it took a sequence
   * number: the publish fails, and later publishes are confirmed by their own acks, not off by one.
   */
  @Test
  void publishTheClientRefusesFailsAndLaterConfirmsStayMatched() throws Exception {
    CompletableFuture<Void> tooBig =
        publisher.publish(
            "",
            queue,
            true,
            new AMQP.BasicProperties.Builder().headers(Map.of("big", "x".repeat(300_000))).build(),
            new byte[] {1});
    assertThatThrownBy(() -> awaitDone(tooBig))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("max frame size");
    awaitReplaced();
    CompletableFuture<Void> unroutable = publishTo("", queue + "-not-there");
    CompletableFuture<Void> stored = publishTo("", queue);
    assertThatThrownBy(() -> awaitDone(unroutable))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("no queue took");
    awaitDone(stored);
  }
}
