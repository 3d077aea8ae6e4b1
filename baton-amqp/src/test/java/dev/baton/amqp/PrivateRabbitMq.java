package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A RabbitMQ node of a test's own, for tests that stop and start the broker: never the machine's
 * shared node on 5672. It runs Debian's {@code /usr/lib/rabbitmq/bin/rabbitmq-server} (the script
 * the {@code /usr/sbin} wrapper would run as user {@code rabbitmq} after {@code su}, which would
 * drop the environment; called directly it runs as the test's user) with everything of its own: a
 * free loopback AMQP port, a free distribution port, the node name {@code
 * baton-test-<port>@localhost}, and a temporary directory holding its data ({@code
 * RABBITMQ_MNESIA_BASE}), logs, pid file, an empty plugin list, its config file and {@code HOME}
 * (so the Erlang cookie it creates is its own and {@link #ctl} can use it). The machine's {@code
 * /etc/rabbitmq} files are not read: the environment points every configuration file at this
 * directory.
 *
 * <p>{@link #stop()} is graceful (SIGTERM to the Erlang VM, which RabbitMQ handles like {@code
 * rabbitmqctl stop}: queues and the message store are closed cleanly) and waits until the OS
 * processes have exited; {@link #start()} starts it again on the same ports and data directory, so
 * durable queues and persistent messages survive. {@link #close()} stops it (SIGKILL if SIGTERM is
 * not enough) and deletes the directory, whatever state the test left it in.
 *
 * <p>Not thread-safe: the one test thread that made it drives it. The exception is a shutdown hook,
 * registered while the node lives, that kills it and deletes its directory if the test JVM exits
 * without closing it (a SIGKILL of the JVM still leaves it running); it reads only {@link
 * #launcher}, which is volatile.
 */
final class PrivateRabbitMq implements AutoCloseable {

  private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
  private static final Path CTL = Path.of("/usr/lib/rabbitmq/bin/rabbitmqctl");
  private static final Duration START_BOUND = Duration.ofSeconds(60);
  private static final Duration STOP_BOUND = Duration.ofSeconds(30);

  private final Path dir;
  private final int port;
  private final int distPort;
  private final String node;
  private volatile @Nullable Process launcher;
  private final Thread reaper = new Thread(this::reap, "private-rabbitmq-reaper");
  private boolean reaperRegistered;

  private PrivateRabbitMq(Path dir, int port, int distPort) {
    this.dir = dir;
    this.port = port;
    this.distPort = distPort;
    this.node = "baton-test-" + port + "@localhost";
  }

  /** Creates the node's directory and ports, starts it and waits until it accepts connections. */
  static PrivateRabbitMq start(String what) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("baton-rabbitmq-" + what + "-");
    int port = freePort();
    int distPort = freePort();
    while (distPort == port) {
      distPort = freePort();
    }
    PrivateRabbitMq node = new PrivateRabbitMq(dir, port, distPort);
    try {
      node.writeConfiguration();
      node.start();
      return node;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      node.close();
      throw e;
    }
  }

  /** {@code amqp://guest:guest@127.0.0.1:<port>/%2F}; guest may connect over loopback. */
  URI uri() {
    return URI.create("amqp://guest:guest@127.0.0.1:" + port + "/%2F");
  }

  int port() {
    return port;
  }

  /** The node's temporary directory (data, logs, configuration); deleted by {@link #close()}. */
  Path directory() {
    return dir;
  }

  String nodeName() {
    return node;
  }

  boolean isRunning() {
    Process p = launcher;
    return p != null && p.isAlive();
  }

  /**
   * Starts the node (again) on its ports and data directory and waits, for at most 60 s, until an
   * AMQP connection to it opens.
   *
   * @throws AssertionError if it exits or does not accept a connection in time; the message carries
   *     the end of its log
   */
  void start() throws IOException, InterruptedException {
    if (isRunning()) {
      throw new IllegalStateException("the private RabbitMQ node " + node + " is running");
    }
    ProcessBuilder builder =
        new ProcessBuilder(SERVER.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile()));
    environment(builder.environment());
    builder.environment().put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
    builder.environment().put("RABBITMQ_NODE_PORT", Integer.toString(port));
    builder.environment().put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
    builder.environment().put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
    builder.environment().put("RABBITMQ_BASE", dir.toString());
    builder.environment().put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
    builder.environment().put("RABBITMQ_PID_FILE", dir.resolve("rabbitmq.pid").toString());
    builder
        .environment()
        .put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
    builder.environment().put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
    builder.environment().put("RABBITMQ_CONFIG_FILES", dir.resolve("conf.d").toString());
    builder
        .environment()
        .put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
    // the distribution listens on loopback only, like the AMQP port
    builder
        .environment()
        .put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
    if (!reaperRegistered) {
      Runtime.getRuntime().addShutdownHook(reaper);
      reaperRegistered = true;
    }
    Process p = builder.start();
    launcher = p;
    awaitAcceptingConnections(p);
  }

  /**
   * Stops the node gracefully (SIGTERM to its Erlang VM) and waits, for at most 30 s, until its
   * processes have exited.
   *
   * @throws AssertionError if it had to be killed
   */
  void stop() throws InterruptedException {
    Process p = launcher;
    if (p == null) {
      return;
    }
    List<ProcessHandle> vms = vms(p);
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(p.toHandle());
    if (vms.isEmpty()) {
      p.destroy();
    } else {
      vms.forEach(ProcessHandle::destroy);
    }
    boolean graceful = awaitExit(all, STOP_BOUND);
    if (!graceful) {
      all.forEach(ProcessHandle::destroyForcibly);
      if (!awaitExit(all, STOP_BOUND)) {
        throw new AssertionError("the private RabbitMQ node " + node + " did not exit on SIGKILL");
      }
    }
    launcher = null;
    if (!graceful) {
      throw new AssertionError(
          "the private RabbitMQ node " + node + " ignored SIGTERM for " + STOP_BOUND + "; killed");
    }
  }

  /** {@link #stop()}, then {@link #start()}. */
  void restart() throws IOException, InterruptedException {
    stop();
    start();
  }

  /**
   * Runs {@code rabbitmqctl -n <node> args...} with this node's cookie, for at most 30 s, and
   * returns its output (for diagnostics and checks of what the node holds).
   *
   * @throws AssertionError if it fails or does not finish in time
   */
  String ctl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(CTL.toString(), "-n", node));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    environment(builder.environment());
    Process p = builder.start();
    p.getOutputStream().close();
    byte[] output;
    try (InputStream in = p.getInputStream()) {
      // rabbitmqctl prints little and ends by itself; the wait below bounds it
      output = in.readAllBytes();
    }
    if (!p.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS)) {
      var _ = p.destroyForcibly();
      throw new AssertionError("rabbitmqctl " + command + " did not finish in " + STOP_BOUND);
    }
    String text = new String(output, UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError("rabbitmqctl " + command + " exited " + p.exitValue() + ": " + text);
    }
    return text;
  }

  /** Stops the node (killing it if it must) and deletes its directory. */
  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      // no time to stop gracefully: kill it, so no node outlives the test
      Thread.currentThread().interrupt();
      var _ = kill();
    } finally {
      try {
        if (reaperRegistered) {
          var _ = Runtime.getRuntime().removeShutdownHook(reaper);
          reaperRegistered = false;
        }
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs anyway, and finds nothing left to kill
      } finally {
        deleteDirectory();
      }
    }
  }

  /** SIGKILL to the node's processes, without waiting; returns them. */
  private List<ProcessHandle> kill() {
    Process p = launcher;
    if (p == null) {
      return List.of();
    }
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(p.toHandle());
    all.forEach(ProcessHandle::destroyForcibly);
    launcher = null;
    return all;
  }

  /** The shutdown hook: kills the node, waits a little for it to exit, deletes its directory. */
  private void reap() {
    List<ProcessHandle> killed = kill();
    try {
      if (awaitExit(killed, Duration.ofSeconds(5))) {
        deleteDirectory();
      }
    } catch (InterruptedException | UncheckedIOException e) {
      // the JVM is exiting: what is left stays in the temporary directory
    }
  }

  @Override
  public String toString() {
    return "private RabbitMQ " + node + " on 127.0.0.1:" + port + " in " + dir;
  }

  // ---- internals ----

  private void writeConfiguration() throws IOException {
    Files.createDirectories(dir.resolve("home"));
    Files.createDirectories(dir.resolve("mnesia"));
    Files.createDirectories(dir.resolve("log"));
    Files.createDirectories(dir.resolve("conf.d"));
    Files.writeString(dir.resolve("enabled_plugins"), "[].\n", UTF_8);
    Files.writeString(dir.resolve("rabbitmq-env.conf"), "", UTF_8);
    Files.writeString(dir.resolve("advanced.config"), "[].\n", UTF_8);
    // the only configuration file the node reads (the machine's /etc/rabbitmq one names 5672)
    Files.writeString(
        dir.resolve("rabbitmq.conf"), "listeners.tcp.1 = 127.0.0.1:" + port + "\n", UTF_8);
  }

  /** What both the server and rabbitmqctl need: the node's name, cookie and env file. */
  private void environment(Map<String, String> env) {
    env.keySet()
        .removeIf(
            k -> k.startsWith("RABBITMQ_") || k.startsWith("ERL_") || k.equals("NOTIFY_SOCKET"));
    env.put("HOME", dir.resolve("home").toString());
    env.put("RABBITMQ_NODENAME", node);
    env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
    env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
  }

  private void awaitAcceptingConnections(Process p) throws InterruptedException {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    factory.setPort(port);
    factory.setConnectionTimeout(1_000);
    factory.setHandshakeTimeout(2_000);
    factory.setAutomaticRecoveryEnabled(false);
    long deadline = System.nanoTime() + START_BOUND.toNanos();
    @Nullable Exception last = null;
    while (System.nanoTime() - deadline < 0) {
      if (!p.isAlive()) {
        launcher = null;
        throw new AssertionError(
            "the private RabbitMQ node "
                + node
                + " exited with "
                + p.exitValue()
                + ": "
                + logTail());
      }
      try (Connection _ = factory.newConnection("baton-private-rabbitmq-probe")) {
        return;
      } catch (IOException | TimeoutException e) {
        last = e;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      if (Thread.interrupted()) {
        throw new InterruptedException("waiting for " + node);
      }
    }
    throw new AssertionError(
        "the private RabbitMQ node "
            + node
            + " did not accept an AMQP connection within "
            + START_BOUND
            + " (last: "
            + last
            + "): "
            + logTail());
  }

  /** The Erlang VMs under the launcher script (one: beam.smp). */
  private static List<ProcessHandle> vms(Process p) {
    return p.descendants()
        .filter(h -> h.info().command().map(c -> c.endsWith("beam.smp")).orElse(false))
        .toList();
  }

  private static boolean awaitExit(List<ProcessHandle> processes, Duration bound)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    for (ProcessHandle h : processes) {
      while (h.isAlive()) {
        if (System.nanoTime() - deadline > 0) {
          return false;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        if (Thread.interrupted()) {
          throw new InterruptedException("waiting for " + h.pid() + " to exit");
        }
      }
    }
    return true;
  }

  private String logTail() {
    List<String> lines = new ArrayList<>();
    for (Path log : List.of(dir.resolve("out.log"), dir.resolve("log").resolve(node + ".log"))) {
      try {
        List<String> all = Files.readAllLines(log, UTF_8);
        lines.add("--- " + log);
        lines.addAll(all.subList(Math.max(0, all.size() - 30), all.size()));
      } catch (IOException | UncheckedIOException e) {
        lines.add("--- " + log + ": " + e);
      }
    }
    return String.join("\n", lines);
  }

  private void deleteDirectory() {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
