package dev.baton.bench;

import dev.baton.amqp.AmqpBackend;
import dev.baton.amqp.AmqpBroker;
import dev.baton.redis.RedisBackend;
import dev.baton.redis.RedisBroker;
import dev.baton.tasks.spi.TaskAdapter;
import dev.baton.time.TimeSource;
import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The transports the remote-task benchmark runs Baton on, by the name the command line gives: each
 * opens the broker and the result backend one app of the benchmark attaches (the worker as named
 * consumer and reporter, the caller as producer and store). Adding a transport is one constant
 * here.
 *
 * <p>Servers come from the environment: {@code BATON_REDIS_URI} (default {@code
 * redis://127.0.0.1:6379}), {@code BATON_AMQP_URI} (default {@code
 * amqp://guest:guest@127.0.0.1:5672/%2F}).
 */
enum RemoteTransport {
  /** Redis streams as the broker, Redis lists with pub/sub as the backend. */
  REDIS("redis") {
    @Override
    Adapters open(TimeSource time, String runId) {
      RedisBroker broker = RedisBroker.connect(redisUri(), time);
      return withBackend(broker, broker::close, () -> RedisBackend.connect(redisUri(), time));
    }
  },

  /**
   * RabbitMQ as the broker (a durable queue per task, publisher confirms, manual acks) and as the
   * backend (a durable reply queue per caller), everything named under the run id.
   */
  AMQP("amqp") {
    @Override
    Adapters open(TimeSource time, String runId) {
      AmqpBroker broker = amqpBroker(time, runId);
      return withBackend(
          broker,
          broker::close,
          () ->
              AmqpBackend.connect(amqpUri(), time, AmqpBackend.Options.DEFAULTS.withPrefix(runId)));
    }
  },

  /** RabbitMQ as the broker, Redis as the backend. */
  AMQP_REDIS("amqp+redis") {
    @Override
    Adapters open(TimeSource time, String runId) {
      AmqpBroker broker = amqpBroker(time, runId);
      return withBackend(broker, broker::close, () -> RedisBackend.connect(redisUri(), time));
    }
  };

  private final String label;

  RemoteTransport(String label) {
    this.label = label;
  }

  /**
   * Opens a broker and a backend, connected; the caller closes them with {@link Adapters}. Adapters
   * that name their server objects under a prefix get {@code runId}, so a run shares nothing with
   * other users of the server and {@link BenchCleanup} can find what it made.
   */
  abstract Adapters open(TimeSource time, String runId);

  /** The name on the command line and in the reports. */
  String label() {
    return label;
  }

  /** The transport named {@code name}. */
  static RemoteTransport named(String name) {
    for (RemoteTransport t : values()) {
      if (t.label.equals(name.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown transport "
            + name
            + "; known: "
            + Arrays.stream(values())
                .map(RemoteTransport::label)
                .collect(Collectors.joining(", ")));
  }

  static URI redisUri() {
    String uri = System.getenv("BATON_REDIS_URI");
    return URI.create(uri == null || uri.isBlank() ? "redis://127.0.0.1:6379" : uri);
  }

  static URI amqpUri() {
    String uri = System.getenv("BATON_AMQP_URI");
    return URI.create(uri == null || uri.isBlank() ? "amqp://guest:guest@127.0.0.1:5672/%2F" : uri);
  }

  private static AmqpBroker amqpBroker(TimeSource time, String runId) {
    return AmqpBroker.connect(
        amqpUri(), time, AmqpBroker.DEFAULT_LEASE, AmqpBroker.DEFAULT_LIVENESS_WINDOW, runId);
  }

  /** Connects the backend; closes the broker if that fails. */
  private static Adapters withBackend(
      Object broker, Runnable closeBroker, Supplier<? extends TaskAdapter> backend) {
    TaskAdapter connected;
    try {
      connected = backend.get();
    } catch (RuntimeException e) {
      closeBroker.run();
      throw e;
    }
    return new Adapters(broker, connected, () -> closeBoth(connected::close, closeBroker));
  }

  private static void closeBoth(Runnable first, Runnable second) {
    try {
      first.run();
    } finally {
      second.run();
    }
  }

  /** A broker and a backend, and how to close both. */
  record Adapters(Object broker, Object backend, Runnable closer) implements AutoCloseable {
    @Override
    public void close() {
      closer.run();
    }
  }
}
