package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The private RabbitMQ node the restart test relies on: it starts on a port of its own (not the
 * shared 5672) within a few seconds, keeps a durable queue and a persistent message across a
 * graceful stop and start, refuses connections while stopped, and leaves nothing behind when
 * closed.
 */
class PrivateRabbitMqTest {

  private static final Duration START_BOUND = Duration.ofSeconds(20);

  @Test
  void aPersistentMessageOnADurableQueueSurvivesAGracefulRestart() throws Exception {
    long starting = System.nanoTime();
    Path dir;
    try (PrivateRabbitMq rabbit = PrivateRabbitMq.start("selftest")) {
      long started = System.nanoTime();
      assertThat(rabbit.port()).as("port of the private node").isNotEqualTo(5672);
      assertThat(rabbit.nodeName()).isEqualTo("baton-test-" + rabbit.port() + "@localhost");
      assertThat(Duration.ofNanos(started - starting))
          .as("time to start the private node")
          .isLessThanOrEqualTo(START_BOUND);
      dir = rabbit.directory();

      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(rabbit.uri());
      factory.setAutomaticRecoveryEnabled(false);
      byte[] body = "kept across a restart".getBytes(UTF_8);
      try (Connection connection = factory.newConnection();
          Channel channel = connection.createChannel()) {
        channel.queueDeclare("kept", true, false, false, Map.of());
        channel.confirmSelect();
        channel.basicPublish("", "kept", MessageProperties.PERSISTENT_BASIC, body);
        channel.waitForConfirmsOrDie(TimeUnit.SECONDS.toMillis(10));
      }
      assertThat(rabbit.ctl("list_queues", "name", "messages"))
          .as("rabbitmqctl (same cookie) lists the queue")
          .containsPattern("kept\\s+1");

      long stopping = System.nanoTime();
      rabbit.stop();
      long stopped = System.nanoTime();
      assertThat(rabbit.isRunning()).isFalse();
      try (Connection _ = factory.newConnection()) {
        throw new AssertionError("a stopped node accepted a connection");
      } catch (ConnectException expected) {
        // refused: nothing listens on the port
      }
      rabbit.start();
      long restarted = System.nanoTime();

      try (Connection connection = factory.newConnection();
          Channel channel = connection.createChannel()) {
        AMQP.Queue.DeclareOk queue = channel.queueDeclarePassive("kept");
        assertThat(queue.getMessageCount()).as("messages in the queue after the restart").isOne();
        GetResponse got = channel.basicGet("kept", true);
        assertThat(got).as("the message after the restart").isNotNull();
        assertThat(got.getBody()).isEqualTo(body);
        assertThat(got.getProps().getDeliveryMode()).as("delivery mode").isEqualTo(2);
      }
      System.out.printf(
          "private RabbitMQ: start %d ms, graceful stop %d ms, start again %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(started - starting),
          TimeUnit.NANOSECONDS.toMillis(stopped - stopping),
          TimeUnit.NANOSECONDS.toMillis(restarted - stopped));
    }
    assertThat(Files.exists(dir)).as("the node's directory after close").isFalse();
  }
}
