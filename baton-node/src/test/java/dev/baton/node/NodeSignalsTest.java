package dev.baton.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM/SIGINT handling in a child JVM ({@link SignalMain}) that runs the node on the module
 * path, as a deployment would: the first signal closes the node in order and the JVM exits 0; a
 * second signal while the close is stuck exits at once with 128 + the signal's number.
 */
class NodeSignalsTest {
  private static final long BOUND_SECONDS = 60;

  /** Jars on the test's class path that the node does not run with. */
  private static final List<String> TEST_ONLY =
      List.of(
          "/org/junit/",
          "/org/assertj/",
          "/org/opentest4j/",
          "/org/apiguardian/",
          "/net/bytebuddy/",
          "surefire");

  private @Nullable Process child;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  @AfterEach
  void stopChild() throws InterruptedException {
    Process started = child;
    if (started != null && started.isAlive()) {
      started.destroyForcibly();
      started.waitFor(BOUND_SECONDS, TimeUnit.SECONDS);
    }
  }

  private Process child() {
    Process started = child;
    if (started == null) {
      throw new AssertionError("no child started");
    }
    return started;
  }

  /**
   * The child's module path: this module's classes and every runtime dependency, including those
   * surefire leaves on the class path (automatic modules no module requires by name: the Prometheus
   * client, micrometer-commons, ...), all as modules; the test classes are patched into the module.
   * So the test also proves the node runs on the module path alone.
   */
  private Process start(String mode) throws IOException {
    String modulePath = System.getProperty("jdk.module.path", "");
    String classPath = System.getProperty("java.class.path", "");
    @Nullable String testClasses = null;
    List<String> entries = new ArrayList<>(entries(modulePath));
    for (String entry : entries(classPath)) {
      if (entry.endsWith("test-classes")) {
        testClasses = entry;
      } else if (TEST_ONLY.stream().noneMatch(entry::contains)) {
        entries.add(entry);
      }
    }
    if (testClasses == null) {
      testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // A process started in the background of a non-interactive shell (CI, `nohup`, `cmd &`) has
    // SIGINT ignored, the child inherits that, and the JVM rightly leaves an ignored signal
    // ignored; env (coreutils) puts the default back so the child sees what a terminal's would.
    List<String> command =
        List.of(
            "env",
            "--default-signal=INT,TERM",
            java,
            "--module-path",
            String.join(File.pathSeparator, entries),
            "--patch-module",
            "dev.baton.node=" + testClasses,
            "--module",
            "dev.baton.node/dev.baton.node.SignalMain",
            mode);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("reader failed: " + e);
              }
            },
            "child-output");
    reader.setDaemon(true);
    reader.start();
    return process;
  }

  private static List<String> entries(String path) {
    return Stream.of(path.split(File.pathSeparator, -1)).filter(e -> !e.isEmpty()).toList();
  }

  /** Waits for a line starting with {@code prefix}, keeping every line read. */
  private void awaitLine(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.add(line);
        if (line.startsWith(prefix)) {
          return;
        }
      } else if (!child().isAlive() && lines.isEmpty()) {
        break;
      }
    }
    throw new AssertionError("no line starting with '" + prefix + "'; saw: " + seen);
  }

  private void signal(String name) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-s", name, Long.toString(child().pid())).inheritIO().start();
    assertThat(kill.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  private List<String> output() throws InterruptedException {
    Process child = child();
    assertThat(child.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();
    // the reader may still be draining the pipe
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(50, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.add(line);
      } else if (!child.isAlive() && lines.isEmpty()) {
        break;
      }
    }
    return seen.stream()
        .filter(line -> line.startsWith("baton: ") || line.startsWith("main: "))
        .collect(Collectors.toList());
  }

  @Test
  void sigterm_closesTheNodeInOrder_andTheJvmExitsZero() throws Exception {
    child = start("graceful");
    awaitLine("ready");
    signal("TERM");
    List<String> printed = output();
    assertThat(child().exitValue()).as("exit status; output %s", seen).isZero();
    assertThat(printed)
        .containsExactly(
            "baton: SIGTERM: shutting down node signal-node gracefully (send it again to exit at"
                + " once)",
            "baton: stopping the dashboard",
            "baton: stopping task workers (running tasks get 1000 ms to finish; unfinished ones"
                + " stay in the broker)",
            "baton: stopping processes (cancel, then terminate after 10000 ms)",
            "baton: stopping components",
            "baton: stopped",
            "main: node stopped, exiting");
  }

  @Test
  void aSecondSignal_whileATaskBlocksTheClose_exitsAtOnceWith128PlusItsNumber() throws Exception {
    child = start("blocked");
    awaitLine("ready");
    signal("TERM");
    awaitLine("baton: stopping task workers");
    signal("INT");
    List<String> printed = output();
    assertThat(child().exitValue()).as("exit status; output %s", seen).isEqualTo(130);
    assertThat(printed)
        .containsExactly(
            "baton: SIGTERM: shutting down node signal-node gracefully (send it again to exit at"
                + " once)",
            "baton: stopping the dashboard",
            "baton: stopping task workers (running tasks get 300000 ms to finish; unfinished"
                + " ones stay in the broker)",
            "baton: second SIGINT: exiting now (status 130)");
    assertThat(Stream.of("baton: stopped", "main: node stopped, exiting"))
        .noneMatch(printed::contains);
  }
}
