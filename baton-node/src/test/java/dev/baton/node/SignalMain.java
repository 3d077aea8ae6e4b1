package dev.baton.node;

import dev.baton.node.spi.ExtensionContext;
import dev.baton.node.spi.NodeExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The child JVM of {@link NodeSignalsTest}: boots a node, installs {@link NodeSignals}, prints
 * "ready", and exits 0 once the node has stopped. With the argument {@code blocked}, a task that
 * ignores interruption is running, and the tasks' grace is long, so the close cannot finish.
 */
public final class SignalMain {
  private SignalMain() {}

  public static void main(String[] args) throws Exception {
    boolean blocked = args.length > 0 && args[0].equals("blocked");
    CountDownLatch running = new CountDownLatch(1);
    NodeExtension extension =
        new NodeExtension() {
          @Override
          public String name() {
            return "signal-test";
          }

          @Override
          public void extend(ExtensionContext context) {
            context
                .tasks()
                .register(
                    "stubborn",
                    int.class,
                    int.class,
                    n -> {
                      running.countDown();
                      long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                      while (System.nanoTime() < until) {
                        Thread.onSpinWait(); // ignores interruption on purpose
                      }
                      return n;
                    });
            context.allocate("stubborn", 1);
          }
        };
    NodeConfig config =
        NodeConfig.builder()
            .name("signal-node")
            .dashboard(false)
            .disable("sql", "eval", "workflow", "websocket")
            .tasks(
                new NodeConfig.TasksConfig(
                    true,
                    NodeConfig.TasksConfig.Mode.LOCAL,
                    null,
                    null,
                    java.util.Map.of(),
                    blocked ? Duration.ofMinutes(5) : Duration.ofSeconds(1)))
            .build();
    Node node = Node.start(config, List.of(extension));
    if (blocked) {
      var _ = node.tasks().orElseThrow().call("stubborn", 1);
      running.await();
    }
    NodeSignals.install(node, System.out);
    System.out.println("ready");
    System.out.flush();
    node.awaitStopped(Duration.ofMinutes(10));
    System.out.println("main: node stopped, exiting");
    System.out.flush();
    System.exit(0);
  }
}
