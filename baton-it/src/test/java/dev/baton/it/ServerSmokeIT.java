package dev.baton.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.CancelCallback;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.MessageProperties;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Checks that the servers Baton's integration tests need are up and speak their protocol. A server
 * that cannot be reached fails the test (never skips it), naming the URI and how to start it.
 */
class ServerSmokeIT {
  private static final String REDIS_URI_VARIABLE = "BATON_REDIS_URI";
  private static final String DEFAULT_REDIS_URI = "redis://127.0.0.1:6379";
  private static final String AMQP_URI_VARIABLE = "BATON_AMQP_URI";
  // "%2F" is the default virtual host "/"; a bare trailing "/" would name the empty virtual host.
  private static final String DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/%2F";

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
  private static final long DELIVERY_TIMEOUT_SECONDS = 5;

  @Test
  void redis_answersPing() {
    String uri = setting(REDIS_URI_VARIABLE, DEFAULT_REDIS_URI);
    RedisURI redisUri = RedisURI.create(uri);
    redisUri.setTimeout(COMMAND_TIMEOUT);
    RedisClient client = RedisClient.create(redisUri);
    try {
      client.setOptions(
          ClientOptions.builder()
              .autoReconnect(false)
              .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
              .build());
      try (StatefulRedisConnection<String, String> connection = connectRedis(client, uri)) {
        assertThat(connection.sync().ping()).isEqualTo("PONG");
      }
    } finally {
      client.shutdown();
    }
  }

  @Test
  void rabbitmq_acceptsConnection_andRoundTripsAMessage() throws Exception {
    String uri = setting(AMQP_URI_VARIABLE, DEFAULT_AMQP_URI);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    factory.setConnectionTimeout((int) CONNECT_TIMEOUT.toMillis());
    factory.setHandshakeTimeout((int) CONNECT_TIMEOUT.toMillis());

    try (Connection connection = connectRabbit(factory, uri);
        Channel channel = connection.createChannel()) {
      // Server-named, exclusive, auto-delete: the queue disappears with this connection.
      String queue = channel.queueDeclare().getQueue();
      String message = "baton-it " + UUID.randomUUID();

      CompletableFuture<byte[]> received = new CompletableFuture<>();
      DeliverCallback onDelivery = (consumerTag, delivery) -> received.complete(delivery.getBody());
      CancelCallback onCancel =
          consumerTag ->
              received.completeExceptionally(
                  new IllegalStateException("consumer " + consumerTag + " was cancelled"));
      channel.basicConsume(queue, true, onDelivery, onCancel);

      channel.basicPublish("", queue, MessageProperties.TEXT_PLAIN, message.getBytes(UTF_8));

      byte[] body = received.get(DELIVERY_TIMEOUT_SECONDS, SECONDS);
      assertThat(new String(body, UTF_8)).isEqualTo(message);
    }
  }

  private static StatefulRedisConnection<String, String> connectRedis(
      RedisClient client, String uri) {
    try {
      return client.connect();
    } catch (RedisConnectionException e) {
      throw unreachable("Redis", uri, REDIS_URI_VARIABLE, e);
    }
  }

  private static Connection connectRabbit(ConnectionFactory factory, String uri) {
    try {
      return factory.newConnection("baton-it");
    } catch (IOException | TimeoutException e) {
      throw unreachable("RabbitMQ", uri, AMQP_URI_VARIABLE, e);
    }
  }

  private static AssertionError unreachable(
      String server, String uri, String variable, Exception cause) {
    return new AssertionError(
        "Could not connect to "
            + server
            + " at "
            + withoutPassword(uri)
            + ": "
            + rootCause(cause)
            + ". Run scripts/test, which starts the servers the integration tests need, or set "
            + variable
            + " to the URI of a running "
            + server
            + ".",
        cause);
  }

  private static Throwable rootCause(Throwable failure) {
    Throwable cause = failure;
    for (Throwable next = cause.getCause(); next != null; next = next.getCause()) {
      cause = next;
    }
    return cause;
  }

  private static String withoutPassword(String uri) {
    return uri.replaceFirst("//([^:/@]*):[^@/]*@", "//$1:***@");
  }

  private static String setting(String variable, String defaultValue) {
    String value = System.getenv(variable);
    return value == null || value.isBlank() ? defaultValue : value;
  }
}
