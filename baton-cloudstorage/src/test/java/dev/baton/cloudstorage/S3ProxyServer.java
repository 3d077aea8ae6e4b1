package dev.baton.cloudstorage;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real S3-compatible server for the tests: s3proxy (Maven Central's self-contained jar, copied to
 * {@code target/s3proxy/s3proxy.jar} by the build) with jclouds' in-memory ({@code transient})
 * provider (the filesystem provider lists its directories as objects and refuses keys with {@code
 * ..}), run as a child JVM bound to 127.0.0.1 on a free port, and stopped by its process handle. A
 * child JVM keeps s3proxy's own dependencies (Jetty, jclouds, an older AWS SDK) off the module's
 * test path.
 */
final class S3ProxyServer implements AutoCloseable {
  static final String IDENTITY = "baton-test-identity";
  static final String CREDENTIAL = "baton-test-credential";
  private static final Duration START_BOUND = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final Path log;
  // Stops the child if the test JVM exits without close() (a crash in setup, System.exit, SIGTERM).
  private final Thread stopAtExit;

  private S3ProxyServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.stopAtExit = new Thread(process::destroyForcibly, "s3proxy-stop-at-exit");
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /**
   * Starts the server with its data under {@code dir}; fails (never skips) if it cannot start.
   *
   * @throws IllegalStateException if the jar is missing or the server does not listen in time
   */
  static S3ProxyServer start(Path dir) throws IOException, InterruptedException {
    String jarProperty = System.getProperty("baton.s3proxy.jar");
    if (jarProperty == null || !Files.isRegularFile(Path.of(jarProperty))) {
      throw new IllegalStateException(
          "s3proxy's jar is missing ("
              + jarProperty
              + "); the build copies it in process-test-resources: run through Maven");
    }
    int port = freePort();
    Path properties = dir.resolve("s3proxy.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + IDENTITY,
            "s3proxy.credential=" + CREDENTIAL,
            "jclouds.provider=transient",
            ""),
        UTF_8);
    Path log = dir.resolve("s3proxy.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                List.of(
                    java, "-Xmx512m", "-jar", jarProperty, "--properties", properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    S3ProxyServer server = new S3ProxyServer(process, port, log);
    long deadline = System.nanoTime() + START_BOUND.toNanos();
    // Listening and alive: a port taken by another program meanwhile makes s3proxy exit.
    while (!(server.listening() && process.isAlive())) {
      if (!process.isAlive()) {
        server.close();
        throw new IllegalStateException(
            "s3proxy exited with " + process.exitValue() + ": " + Files.readString(log, UTF_8));
      }
      if (System.nanoTime() > deadline) {
        server.close();
        throw new IllegalStateException(
            "s3proxy did not listen within " + START_BOUND + ": " + Files.readString(log, UTF_8));
      }
      // Polling interval for a child process's port (nothing to await), not a guess at timing.
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    return server;
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  long pid() {
    return process.pid();
  }

  String log() throws IOException {
    return Files.readString(log, UTF_8);
  }

  /** A storage on {@code bucket} of this server, the bucket created. */
  S3ObjectStorage storage(String name, String bucket) {
    return S3ObjectStorage.builder(name, bucket)
        .endpoint(endpoint())
        .region("us-east-1")
        .credentials(IDENTITY, CREDENTIAL)
        .pathStyle(true)
        .build()
        .createBucketIfMissing();
  }

  /** A storage called {@code "proxied"} on {@code bucket}, reached through {@code endpoint}. */
  S3ObjectStorage storageAt(URI endpoint, String bucket) {
    return S3ObjectStorage.builder("proxied", bucket)
        .endpoint(endpoint)
        .region("us-east-1")
        .credentials(IDENTITY, CREDENTIAL)
        .pathStyle(true)
        .build();
  }

  private boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Whether the child JVM is still running. */
  boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException exiting) {
      // the JVM is exiting: the hook runs anyway
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
