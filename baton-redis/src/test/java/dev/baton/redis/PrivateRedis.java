package dev.baton.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} of a test's own, for tests that stop, restart or reconfigure a server and
 * so must never touch the machine's shared one: bound to 127.0.0.1 (or other loopback addresses),
 * on a port the test chooses ({@link #freePort()}, never 6379), with its data and log ({@code
 * redis.log}) in the test's directory, not daemonized, started as a child process and stopped by
 * its pid. Not thread-safe: one test drives it.
 */
final class PrivateRedis {

  /** How long starting or stopping may take. */
  static final Duration BOUND = Duration.ofSeconds(20);

  private final Path dir;
  private final List<String> options;
  private @Nullable Process process;

  /**
   * A server in {@code dir} run with {@code options} (such as {@code --port N}), after the defaults
   * {@code --bind 127.0.0.1 --daemonize no} (which an option may override with loopback addresses
   * of its own); {@code --dir} is added last.
   */
  PrivateRedis(Path dir, List<String> options) {
    this.dir = dir;
    this.options = List.copyOf(options);
  }

  /** A port free on the loopback interface just now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The log the server writes (appended to across restarts). */
  Path log() {
    return dir.resolve("redis.log");
  }

  /**
   * Starts the server and waits (at most {@link #BOUND}) until {@code ready} holds.
   *
   * @throws AssertionError if the server exits or is not ready in time
   */
  void start(BooleanSupplier ready) throws IOException {
    if (process != null) {
      throw new IllegalStateException("the private redis-server is already running");
    }
    List<String> command = new ArrayList<>();
    command.add("redis-server");
    // the options come after the defaults: Redis keeps the last value of a directive
    command.addAll(List.of("--bind", "127.0.0.1", "--daemonize", "no"));
    command.addAll(options);
    command.addAll(List.of("--dir", dir.toString()));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
            .start();
    process = p;
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (true) {
      if (!p.isAlive()) {
        process = null;
        throw new AssertionError("redis-server exited with " + p.exitValue() + "; see " + log());
      }
      if (ready.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the private redis-server was not ready within " + BOUND + "; see " + log());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  /** Whether the server was started and has not been stopped. */
  boolean isRunning() {
    return process != null;
  }

  /**
   * SIGTERM by pid (a graceful shutdown for Redis), then SIGKILL if it has not exited in time. Does
   * nothing if the server is not running.
   *
   * @throws AssertionError if it ignored SIGTERM (it is killed all the same)
   */
  void stop() throws InterruptedException {
    Process p = process;
    if (p == null) {
      return;
    }
    var _ = ProcessHandle.of(p.pid()).map(ProcessHandle::destroy);
    if (!p.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)) {
      var _ = p.destroyForcibly();
      if (!p.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the private redis-server " + p.pid() + " did not exit");
      }
      process = null;
      throw new AssertionError("the private redis-server " + p.pid() + " ignored SIGTERM");
    }
    process = null;
  }

  /** Whether a plain server on {@code port} answers PING with PONG (not LOADING, not refused). */
  static boolean answersPing(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[64];
      int n = in.read(buffer);
      return n > 0 && new String(buffer, 0, n, US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether {@code port} accepts TCP connections (a TLS-only server is listening). */
  static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
