package dev.baton.dashboard;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard of one node: a page (overview, processes, tasks) with live updates over
 * server-sent events, the JSON API that the page and {@code baton inspect} use, and the Prometheus
 * endpoint. Started by the node; reads and acts only through {@link NodeView}.
 *
 * <p>Served by the JDK's HTTP server ({@code jdk.httpserver}), one virtual thread per request. See
 * {@code docs/dashboard.md} for the endpoints and the security checks (Host, token, Origin, CSRF).
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class Dashboard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);

  /** How long {@link #close()} waits for running requests after closing their connections. */
  private static final long CLOSE_WAIT_SECONDS = 5;

  private final HttpServer server;
  private final ExecutorService executor;
  private final LiveFeed feed;
  private final InetSocketAddress address;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Dashboard(
      HttpServer server, ExecutorService executor, LiveFeed feed, InetSocketAddress address) {
    this.server = server;
    this.executor = executor;
    this.feed = feed;
    this.address = address;
  }

  /**
   * Starts serving.
   *
   * @throws UncheckedIOException if the address cannot be bound, naming it
   * @throws IllegalStateException if the page's files are missing from the jar
   */
  public static Dashboard start(DashboardSettings settings, NodeView node) {
    requireNonNull(settings, "settings");
    requireNonNull(node, "node");
    disableNagleUnlessConfigured();
    StaticFiles files = new StaticFiles();
    InetSocketAddress requested = new InetSocketAddress(settings.bindAddress(), settings.port());
    HttpServer server;
    try {
      server = HttpServer.create(requested, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the dashboard cannot listen on "
              + settings.bindAddress().getHostAddress()
              + ":"
              + settings.port()
              + " ("
              + e.getMessage()
              + "); if another program uses the port, set dashboard.port to a free one (0 picks"
              + " one)",
          e);
    }
    InetSocketAddress address =
        new InetSocketAddress(settings.bindAddress(), server.getAddress().getPort());
    RequestGuard guard = new RequestGuard(settings);
    guard.boundTo(address.getPort());
    LiveFeed feed = new LiveFeed(node, settings.sampleInterval());
    ExecutorService executor =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("baton-dashboard-http-", 0).factory());
    try {
      server.setExecutor(executor);
      var _ = server.createContext("/", new DashboardHandler(node, guard, feed, files));
      server.start();
    } catch (RuntimeException e) {
      feed.close();
      server.stop(0);
      executor.shutdownNow();
      throw e;
    }
    LOG.info(
        "dashboard: listening on http://{}:{}/{}",
        hostForUrl(address),
        address.getPort(),
        settings.requiresToken() ? " (token required)" : "");
    return new Dashboard(server, executor, feed, address);
  }

  /**
   * The JDK's HTTP server leaves Nagle's algorithm on unless {@code sun.net.httpserver.nodelay} is
   * true; a response written as headers then body then waits for the client's delayed ACK (about 40
   * ms on Linux) on every request that is not tiny. The property is read once, when the JDK's
   * server first starts in this JVM, so it is set here unless the user set it.
   */
  private static void disableNagleUnlessConfigured() {
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
  }

  private static final String NODELAY = "sun.net.httpserver.nodelay";

  private static String hostForUrl(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }

  /** Where it listens (the real port when the settings asked for 0). */
  public InetSocketAddress address() {
    return address;
  }

  /**
   * Stops serving: stops the sampler, ends the live-update streams, closes the listener and every
   * connection, and waits up to 5 s for request threads to finish. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    feed.close();
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        executor.shutdownNow();
        LOG.warn("dashboard: requests still running {} s after close", CLOSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
