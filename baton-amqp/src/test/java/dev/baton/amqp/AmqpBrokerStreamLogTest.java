package dev.baton.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The broker's stream reader when its sentinel cannot be written or its stream goes away. */
class AmqpBrokerStreamLogTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  private Connection connection;
  private String stream;

  @BeforeEach
  void declareStream() throws Exception {
    connection = AmqpBrokerTests.connection();
    stream = AmqpBrokerTests.uniquePrefix() + ".stream-" + UUID.randomUUID();
    Channel channel = connection.createChannel();
    channel.queueDeclare(stream, true, false, false, Map.of("x-queue-type", "stream"));
    channel.close();
  }

  @AfterEach
  void deleteStream() throws Exception {
    AmqpBrokerTests.deleteQueue(stream);
    connection.close();
  }

  /** A barrier whose sentinel publish fails says why at once, not after its whole bound. */
  @Test
  void barrierWhoseSentinelIsNotWrittenFailsWithTheCause() throws Exception {
    StreamLog log = new StreamLog(connection, stream, "first", (properties, body) -> {});
    ConfirmingPublisher publisher = new ConfirmingPublisher(connection, "closed-one");
    publisher.close();
    long started = System.nanoTime();
    assertThatThrownBy(() -> log.barrier(publisher, BOUND))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("publisher is closed");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BOUND.dividedBy(2));
    log.close();
  }

  /** A reader whose stream is deleted stops for good and says so, so its owner opens a new one. */
  @Test
  void readerWhoseStreamIsDeletedIsBroken() throws Exception {
    StreamLog log = new StreamLog(connection, stream, "first", (properties, body) -> {});
    ConfirmingPublisher publisher = new ConfirmingPublisher(connection, "test");
    log.barrier(publisher, BOUND);
    assertThat(log.isBroken()).isFalse();
    AmqpBrokerTests.deleteQueue(stream);
    long deadline = System.nanoTime() + BOUND.toNanos();
    Object pause = new Object();
    while (!log.isBroken() && System.nanoTime() < deadline) {
      synchronized (pause) {
        pause.wait(10);
      }
    }
    assertThat(log.isBroken()).as("broken after its stream was deleted").isTrue();
    assertThatThrownBy(() -> log.barrier(publisher, BOUND))
        .isInstanceOf(IllegalStateException.class);
    log.close();
    publisher.close();
  }
}
