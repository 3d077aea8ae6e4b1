package dev.baton.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A worker JVM a reliability test starts, so it can kill it with SIGKILL: the test JVM's own {@code
 * java}, with the test classes, the module path and the class path all on its class path, running a
 * test's main class that prints {@code ready} once it consumes.
 *
 * <p>Its output (standard error merged in) is drained on a thread of its own, so the child never
 * blocks on a full pipe, and kept for failure messages. {@link #close()} kills it if it still runs.
 */
public final class ChildJvm implements AutoCloseable {

  private final Process process;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

  private ChildJvm(Process process) {
    this.process = process;
    Thread.ofPlatform().daemon().name("child-jvm-output-" + process.pid()).start(this::drain);
  }

  /**
   * Starts {@code mainClass} with {@code arguments} and a 256 MiB heap, passing on the variables of
   * {@code environment} (typically the server URIs the tests use).
   *
   * @throws IOException if the JVM cannot be started
   */
  public static ChildJvm start(
      Class<?> mainClass, Map<String, String> environment, String... arguments) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElseThrow(() -> new AssertionError("the test JVM's java command is unknown"));
    // everything on the class path: the test classes, then the module path (the module's main
    // classes and its dependencies), then the class path
    List<String> path = new ArrayList<>();
    path.add(classesRoot(mainClass).toString());
    for (String property : List.of("jdk.module.path", "java.class.path")) {
      String value = System.getProperty(property);
      if (value != null && !value.isBlank()) {
        path.add(value);
      }
    }
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            java, "-Xmx256m", "-cp", String.join(File.pathSeparator, path), mainClass.getName()));
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    return new ChildJvm(builder.start());
  }

  /** The child's pid. */
  public long pid() {
    return process.pid();
  }

  /** Waits until the child printed {@code ready}; fails if it ends first or takes longer. */
  public void awaitReady(Duration bound) throws InterruptedException {
    try {
      ready.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the worker JVM was not ready within " + bound + ": " + lines, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new AssertionError(cause.getMessage(), cause);
    }
  }

  /** What the child has printed so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** SIGKILL by pid, then waits (up to {@code bound}) for the process to exit. */
  public void kill(Duration bound) throws InterruptedException, IOException {
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
    var _ = process.destroyForcibly();
    if (!process.waitFor(bound.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new AssertionError("the worker JVM " + process.pid() + " did not exit after SIGKILL");
    }
    process.getOutputStream().close();
  }

  /** Kills the child if it still runs; an interrupt while waiting for it is kept, not thrown. */
  @Override
  public void close() throws IOException {
    if (process.isAlive()) {
      try {
        kill(Duration.ofSeconds(60));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void drain() {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
        if (line.equals("ready")) {
          ready.complete(null);
        }
      }
    } catch (IOException e) {
      // the process died
    } finally {
      ready.completeExceptionally(
          new AssertionError("the worker JVM ended before ready: " + lines));
    }
  }

  /** The directory (or jar) {@code type} was loaded from. */
  private static Path classesRoot(Class<?> type) {
    String resource = type.getSimpleName() + ".class";
    Path file;
    try {
      file =
          Path.of(
              Objects.requireNonNull(type.getResource(resource), "the class's own resource")
                  .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the classes of " + type, e);
    }
    int depth = type.getPackageName().split("\\.", -1).length;
    Path root = file.getParent();
    for (int i = 0; i < depth; i++) {
      root = Objects.requireNonNull(root, "classes root").getParent();
    }
    return Objects.requireNonNull(root, "classes root");
  }
}
