package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    if (!Files.isExecutable(CTL)) {
      throw new AssertionError("cleaning up needs " + CTL + " to list the queues");
    }
    Process p =
        new ProcessBuilder(CTL.toString(), "-q", "list_queues", "-p", "/", "name")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("rabbitmqctl list_queues did not finish in 30 s");
    }
    String text = new String(out, UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError("rabbitmqctl list_queues exited " + p.exitValue() + ": " + text);
    }
    List<String> names = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      String name = line.strip();
      if (name.startsWith(prefix)) {
        names.add(name);
      }
    }
    return names;
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
