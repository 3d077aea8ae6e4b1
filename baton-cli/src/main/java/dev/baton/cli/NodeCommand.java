package dev.baton.cli;

import dev.baton.node.Node;
import dev.baton.node.NodeConfig;
import dev.baton.node.NodeConfigException;
import dev.baton.node.NodeSignals;
import dev.baton.node.RemoteTasks;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton node}: a long-running node from a YAML configuration, until SIGINT or SIGTERM (a
 * second signal forces exit).
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
      "Run a long-lived node from a YAML configuration.",
      "The file (docs/node.md lists every key) sets the scheduler, the command modules,",
      "the task app and its workers (local, or remote on Redis or RabbitMQ),",
      "extensions, metrics and the dashboard. Runs until Ctrl+C (SIGINT) or SIGTERM,",
      "then stops gracefully; a second signal forces exit.",
      "",
      "A worker serving the demo's tasks on Redis, for `baton call`:",
      "  name: worker-1",
      "  tasks:",
      "    mode: remote",
      "    broker: {uri: redis://127.0.0.1:6379}",
      "  extensions: [demo]"
    },
    footer = {
      "",
      "Exit codes: 0 stopped by a signal, 1 the node failed to start, 2 the",
      "configuration is wrong (the message names the key), 130 or 143 a second",
      "SIGINT or SIGTERM forced the exit."
    })
public final class NodeCommand implements Callable<Integer> {

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @Spec
  private CommandSpec spec;

  @SuppressWarnings("NullAway.Init") // required option, injected by picocli
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "The node's YAML configuration.")
  private Path config;

  /** Receives the node once it runs, so a test can stop it without a signal. */
  @Nullable Consumer<Node> onStarted;

  /** Created by picocli. */
  public NodeCommand() {}

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NodeConfig nodeConfig;
    Node node;
    long start = System.nanoTime();
    try {
      nodeConfig = NodeConfig.load(config);
      node = Node.start(nodeConfig);
    } catch (NodeConfigException | IllegalArgumentException e) {
      err.println("baton node: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println("baton node: the node did not start: " + Messages.rootMessage(e));
      return 1;
    }
    try (node) {
      describe(out, node, (System.nanoTime() - start) / 1_000_000);
      out.flush();
      NodeSignals signals = NodeSignals.install(node, System.out);
      try (signals) {
        if (onStarted != null) {
          onStarted.accept(node);
        }
        while (!node.awaitStopped(Duration.ofSeconds(1))) {
          // waits for a signal (or a test) to close the node
        }
      }
    }
    out.println("Node '" + node.name() + "' stopped.");
    out.flush();
    return 0;
  }

  /** Prints what the node booted and where its dashboard listens. */
  static void describe(PrintWriter out, Node node, long startMillis) {
    NodeConfig c = node.config();
    out.printf(Locale.ROOT, "Node '%s' started in %,d ms%n", node.name(), startMillis);
    out.printf(Locale.ROOT, "  scheduler  %d workers%n", node.scheduler().parallelism());
    if (!c.tasks().enabled()) {
      out.println("  tasks      off");
    } else {
      NodeConfig.TasksConfig t = c.tasks();
      List<String> workers = new ArrayList<>();
      for (Map.Entry<String, Integer> entry : t.workers().entrySet()) {
        workers.add(entry.getKey() + " x" + entry.getValue());
      }
      String where =
          t.mode() == NodeConfig.TasksConfig.Mode.LOCAL
              ? "local (in-process queue)"
              : "remote, broker "
                  + redact(t.broker())
                  + ", backend "
                  + redact(t.backend() != null ? t.backend() : t.broker());
      out.println(
          "  tasks      "
              + where
              + (workers.isEmpty()
                  ? ""
                  : "; workers from the config: " + String.join(", ", workers)));
    }
    List<String> families = new ArrayList<>(NodeConfig.FAMILIES);
    families.removeAll(c.modules().disabled());
    out.println("  modules    " + String.join(", ", families));
    out.println(
        "  extensions " + (c.extensions().isEmpty() ? "none" : String.join(", ", c.extensions())));
    out.println("  metrics    " + (c.metrics().enabled() ? "on" : "off"));
    @Nullable InetSocketAddress dashboard = node.dashboardAddress().orElse(null);
    if (dashboard == null) {
      out.println("  dashboard  off");
    } else {
      out.println(
          "  dashboard  "
              + dashboardUrl(dashboard)
              + "/"
              + (c.dashboard().token() == null ? "" : " (token required)")
              + (c.metrics().enabled() ? ", Prometheus at /metrics" : ""));
    }
    out.println("Ctrl+C or SIGTERM stops the node gracefully; a second signal forces exit.");
    out.flush();
  }

  /**
   * The URL a user opens for a dashboard bound to {@code address}, without a trailing slash: a
   * wildcard bind shows as 127.0.0.1, an IPv6 address in brackets.
   */
  public static String dashboardUrl(InetSocketAddress address) {
    String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getHostString();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + address.getPort();
  }

  private static String redact(@Nullable URI uri) {
    return uri == null ? "(none)" : RemoteTasks.redact(uri);
  }
}
