package dev.baton.node;

import dev.baton.boot.AppContext;
import dev.baton.node.spi.NodeExtension;
import dev.baton.process.Scheduler;
import dev.baton.tasks.TaskApp;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A running Baton node: the components its {@link NodeConfig} names, booted in dependency order
 * (registry, time, scheduler, the command modules, the task app with its broker and backend,
 * metrics, the dashboard), and stopped in the reverse order.
 *
 * <p>Skeleton of the API the CLI builds on; the node change (issue 8) fills it in.
 */
@SuppressWarnings("DoNotCallSuggester") // skeleton until the issue 8 change fills it in
public final class Node implements AutoCloseable {

  private Node() {}

  /**
   * Boots a node with the extensions its configuration names (found with {@link
   * java.util.ServiceLoader}) plus the given ones.
   *
   * @throws NodeConfigException if the configuration cannot be honoured (an unknown extension, a
   *     broker URI of no known scheme), naming the key
   * @throws dev.baton.boot.BootException if a component fails to load or start
   */
  public static Node start(NodeConfig config, List<NodeExtension> extensions) {
    throw new UnsupportedOperationException("issue 8: implemented by the node change");
  }

  /** The node's name, from the configuration. */
  public String name() {
    throw new UnsupportedOperationException();
  }

  /** The services the components published (the registry, the scheduler, the task app, ...). */
  public AppContext services() {
    throw new UnsupportedOperationException();
  }

  /** The node's scheduler. */
  public Scheduler scheduler() {
    throw new UnsupportedOperationException();
  }

  /** The node's task app, unless the configuration turned tasks off. */
  public Optional<TaskApp> tasks() {
    throw new UnsupportedOperationException();
  }

  /** Where the dashboard listens, unless the configuration turned it off. */
  public Optional<InetSocketAddress> dashboardAddress() {
    throw new UnsupportedOperationException();
  }

  /**
   * Stops the node gracefully, in the boot order's reverse: the dashboard, then consuming stops,
   * running tasks finish or are requeued within the grace, processes are cancelled then terminated,
   * and the rest of the components stop. Idempotent; a second call waits for the first.
   */
  @Override
  public void close() {}

  /** Waits until {@link #close()} has finished, or the timeout passes; returns whether it had. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    throw new UnsupportedOperationException();
  }
}
