package dev.baton.node;

import static java.util.Objects.requireNonNull;

import dev.baton.amqp.AmqpBackend;
import dev.baton.amqp.AmqpBroker;
import dev.baton.redis.RedisBackend;
import dev.baton.redis.RedisBroker;
import dev.baton.time.TimeSource;
import java.net.URI;
import java.util.Locale;

/**
 * Connects a remote task app's broker and result backend from their URIs: Redis for {@code
 * redis://} and {@code rediss://}, RabbitMQ for {@code amqp://} and {@code amqps://}. A node in
 * remote mode and {@code baton call} both connect this way; attach the results with {@link
 * dev.baton.tasks.TaskApp#use(Object, dev.baton.tasks.Role...)} and close them after the app.
 */
public final class RemoteTasks {
  private RemoteTasks() {}

  /**
   * Connects the broker the URI names.
   *
   * @throws IllegalArgumentException if the URI is of no known scheme or malformed for its adapter
   * @throws RuntimeException from the adapter if the server cannot be reached
   */
  public static AutoCloseable connectBroker(URI uri, TimeSource time) {
    return isRedis(uri) ? RedisBroker.connect(uri, time) : AmqpBroker.connect(uri, time);
  }

  /**
   * Connects the result backend the URI names.
   *
   * @throws IllegalArgumentException if the URI is of no known scheme or malformed for its adapter
   * @throws RuntimeException from the adapter if the server cannot be reached
   */
  public static AutoCloseable connectBackend(URI uri, TimeSource time) {
    return isRedis(uri) ? RedisBackend.connect(uri, time) : AmqpBackend.connect(uri, time);
  }

  /** The URI with its password replaced by {@code ***}, for messages and logs. */
  public static String redact(URI uri) {
    return ConfigTree.redact(uri.toString());
  }

  private static boolean isRedis(URI uri) {
    String scheme = requireNonNull(uri, "uri").getScheme();
    String lower = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
    return switch (lower) {
      case "redis", "rediss" -> true;
      case "amqp", "amqps" -> false;
      default ->
          throw new IllegalArgumentException(
              "\""
                  + redact(uri)
                  + "\" is not a broker or backend URI; use redis://host:port or"
                  + " amqp://user:password@host:port/vhost (rediss:// and amqps:// for TLS)");
    };
  }
}
