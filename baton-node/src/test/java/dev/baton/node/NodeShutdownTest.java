package dev.baton.node;

import static dev.baton.testing.TestNode.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.Component;
import dev.baton.boot.ShutdownException;
import dev.baton.modules.clock.Clock;
import dev.baton.node.spi.ExtensionContext;
import dev.baton.node.spi.NodeExtension;
import dev.baton.process.Pid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** close() runs its phases in order: dashboard, task workers, processes, the other components. */
class NodeShutdownTest {

  @Test
  void close_stopsTheDashboardThenTasksThenProcessesThenTheRest() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch taskRunning = new CountDownLatch(1);
    NodeExtension extension =
        new NodeExtension() {
          @Override
          public String name() {
            return "recorder";
          }

          @Override
          public void extend(ExtensionContext context) {
            context
                .tasks()
                .register(
                    "hold",
                    int.class,
                    int.class,
                    n -> {
                      taskRunning.countDown();
                      try {
                        new CountDownLatch(1).await();
                      } catch (InterruptedException e) {
                        events.add("task interrupted");
                        Thread.currentThread().interrupt();
                      }
                      return n;
                    });
            context.allocate("hold", 1);
            context.component(
                Component.named("recorder.component")
                    .onStop(services -> events.add("extension component stopped"))
                    .build());
          }
        };
    NodeConfig config =
        NodeConfig.builder()
            .dashboardAddress("127.0.0.1", 0)
            .scheduler(new NodeConfig.SchedulerConfig(2, 1000, 100, Duration.ofMillis(500)))
            .tasks(
                new NodeConfig.TasksConfig(
                    true,
                    NodeConfig.TasksConfig.Mode.LOCAL,
                    null,
                    null,
                    Map.of(),
                    Duration.ofMillis(100)))
            .build();
    Node node = Node.start(config, List.of(extension));
    var _ = node.tasks().orElseThrow().call("hold", 1);
    Pid waiting =
        node.scheduler()
            .spawnCoroutine(
                (p, input) -> {
                  try {
                    return p.receive("never").payload();
                  } catch (Throwable ended) {
                    events.add("process ended");
                    throw ended;
                  }
                });
    awaitCondition("the task to run", () -> taskRunning.getCount() == 0);
    awaitCondition(
        "the process to wait",
        () -> node.view().snapshot().processesByState().getOrDefault("IDLE", 0) == 1);

    node.close(phase -> events.add(phase.replaceFirst(" \\(.*", "")));

    assertThat(events)
        .containsExactly(
            "stopping the dashboard",
            "stopping task workers",
            "task interrupted",
            "stopping processes",
            "process ended",
            "stopping components",
            "extension component stopped",
            "stopped");
    assertThat(node.scheduler().isAlive(waiting)).isFalse();
    assertThat(node.awaitStopped(Duration.ZERO)).isTrue();
  }

  @Test
  void aComponentWhoseStopThrows_doesNotStopTheShutdown_whichStillClosesWhatTheNodeOwns()
      throws Exception {
    String name = "failing-stop-" + System.nanoTime();
    NodeExtension failing =
        new NodeExtension() {
          @Override
          public String name() {
            return "failing";
          }

          @Override
          public void extend(ExtensionContext context) {
            context.component(
                Component.named("failing.component")
                    .onStop(
                        services -> {
                          throw new IllegalStateException("cannot stop");
                        })
                    .build());
          }
        };
    NodeConfig config =
        NodeConfig.builder()
            .name(name)
            .dashboard(false)
            .scheduler(new NodeConfig.SchedulerConfig(2, 1000, 100, Duration.ofMillis(200)))
            .build();
    Node node = Node.start(config, List.of(failing));
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    assertThat(objectDirectories(tmp, name)).hasSize(1);
    List<String> phases = new CopyOnWriteArrayList<>();

    assertThatThrownBy(() -> node.close(phases::add))
        .isInstanceOf(ShutdownException.class)
        .hasMessageContaining("failing.component");

    assertThat(phases).last().isEqualTo("stopped");
    assertThat(node.awaitStopped(Duration.ZERO)).isTrue();
    assertThat(objectDirectories(tmp, name)).isEmpty();
    node.close(); // a second close waits for the first and does not throw again
  }

  @Test
  void aProcessAsleepInTheClock_doesNotSeeTheCancel_andIsTerminatedAtTheDeadline()
      throws Exception {
    Duration deadline = Duration.ofMillis(400);
    NodeConfig config =
        NodeConfig.builder()
            .dashboard(false)
            .scheduler(new NodeConfig.SchedulerConfig(2, 1000, 100, deadline))
            .build();
    Node node = Node.start(config, List.of());
    Pid sleeper =
        node.scheduler().spawnCoroutine((p, input) -> p.call(new Clock.Sleep(Duration.ofHours(1))));
    awaitCondition(
        "the process to sleep",
        () -> node.view().snapshot().processesByState().getOrDefault("BLOCKED", 0) == 1);

    long started = System.nanoTime();
    node.close();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    // The cancel waits in the mailbox behind the hour-long sleep, so close() waits out
    // scheduler.shutdownDeadline and then terminates the process (docs/node.md, Shutdown).
    assertThat(took).isGreaterThanOrEqualTo(deadline).isLessThan(Duration.ofSeconds(30));
    assertThat(node.scheduler().isAlive(sleeper)).isFalse();
  }

  private static List<Path> objectDirectories(Path tmp, String node) throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files
          .filter(path -> path.getFileName().toString().startsWith("baton-" + node + "-objects-"))
          .toList();
    }
  }
}
