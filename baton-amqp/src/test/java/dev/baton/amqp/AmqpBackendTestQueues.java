package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Queue names and clean-up for the backend's tests on the shared server: each test class uses its
 * own prefix, and deletes every queue under it when done. RabbitMQ has no listing over AMQP, so the
 * queues are listed with {@code rabbitmqctl list_queues} (the shared server runs on this machine);
 * the queues also expire by themselves (the tests give them short expiries).
 */
final class AmqpBackendTestQueues {
  private static final Path CTL = Path.of("/usr/sbin/rabbitmqctl");

  private AmqpBackendTestQueues() {}

  /** Backend options for tests: {@code prefix}, and queues that expire 5 minutes after use. */
  static AmqpBackend.Options options(String prefix) {
    return AmqpBackend.Options.DEFAULTS
        .withPrefix(prefix)
        .withReplyQueueExpiry(Duration.ofMinutes(5))
        .withClaimQueueExpiry(Duration.ofMinutes(5));
  }

  /** A prefix no other test run uses: {@code bt} and 8 hex digits. */
  static String uniquePrefix() {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    return "bt" + HexFormat.of().formatHex(random);
  }

  /**
   * Names of the queues on the shared server's default virtual host that start with {@code prefix}.
   */
  static List<String> list(String prefix) throws IOException, InterruptedException {
    List<String> names = new ArrayList<>();
    for (String line : ctl("list_queues", "-p", "/", "name").split("\n", -1)) {
      String name = line.strip();
      if (name.startsWith(prefix)) {
        names.add(name);
      }
    }
    return names;
  }

  /**
   * Has the shared server close the connection whose client end is local port {@code port} (a
   * {@code CONNECTION_FORCED} close, after which the client recovers), as a broker restart or a
   * network failure would end it, without disturbing anyone else's connections.
   */
  static void closeConnection(int port) throws IOException, InterruptedException {
    String pid = null;
    for (String line : ctl("list_connections", "pid", "peer_port").split("\n", -1)) {
      String[] columns = line.strip().split("\\s+", -1);
      if (columns.length == 2 && columns[1].equals(Integer.toString(port))) {
        pid = columns[0];
      }
    }
    if (pid == null) {
      throw new AssertionError("no connection from local port " + port + " on the server");
    }
    ctl("close_connection", pid, "test: closed by the server");
  }

  /** Runs {@code rabbitmqctl -q args...} for at most 30 s; returns what it printed. */
  private static String ctl(String... args) throws IOException, InterruptedException {
    if (!Files.isExecutable(CTL)) {
      throw new AssertionError("the test needs " + CTL + " (the shared server runs here)");
    }
    List<String> command = new ArrayList<>(List.of(CTL.toString(), "-q"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    // rabbitmqctl prints little and ends by itself; the wait below bounds it
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("rabbitmqctl " + command + " did not finish in 30 s");
    }
    String text = new String(out, UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError("rabbitmqctl " + command + " exited " + p.exitValue() + ": " + text);
    }
    return text;
  }

  /** Deletes every queue whose name starts with {@code prefix}. */
  static void deleteAll(String prefix) throws IOException, InterruptedException, TimeoutException {
    List<String> names = list(prefix);
    if (names.isEmpty()) {
      return;
    }
    try (Connection connection = AmqpConnections.factory(AmqpTests.uri()).newConnection()) {
      for (String name : names) {
        try (Channel channel = connection.createChannel()) {
          channel.queueDelete(name);
        }
      }
    }
  }
}
