package dev.baton.dashboard;

import java.net.InetSocketAddress;

/**
 * The web dashboard of one node: a page (overview, processes, tasks) with live updates over
 * server-sent events, the JSON API that the page and {@code baton inspect} use, and the Prometheus
 * endpoint. Started by the node; reads and acts only through {@link NodeView}.
 */
@SuppressWarnings("DoNotCallSuggester") // skeleton until the issue 8 change fills it in
public final class Dashboard implements AutoCloseable {

  private Dashboard() {}

  /**
   * Starts serving.
   *
   * @throws java.io.UncheckedIOException if the address cannot be bound, naming it
   */
  public static Dashboard start(DashboardSettings settings, NodeView node) {
    throw new UnsupportedOperationException("issue 8: implemented by the dashboard change");
  }

  /** Where it listens (the real port when the settings asked for 0). */
  public InetSocketAddress address() {
    throw new UnsupportedOperationException("issue 8: implemented by the dashboard change");
  }

  /** Stops serving: closes live-update streams and the listener. Idempotent. */
  @Override
  public void close() {}
}
