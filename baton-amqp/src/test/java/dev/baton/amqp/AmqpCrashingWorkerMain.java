package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The worker JVM that {@link AmqpWorkerCrashTest} kills: connects an {@link AmqpBroker} and an
 * {@link AmqpBackend} to the test's RabbitMQ under the test's prefix, registers the test's task
 * (which records each execution in its execution log, then sleeps 5-20 ms and returns {@code 2n}),
 * allocates its workers, prints {@code ready} and runs until killed (or until its stdin closes, so
 * it never outlives a test JVM that dies first).
 *
 * <p>Arguments: the task name, the prefix, the execution log's path and the worker count.
 */
final class AmqpCrashingWorkerMain {

  /**
   * Tasks held per worker (running, or delivered and waiting their turn): with the worker count,
   * the channel's prefetch, so the bound on re-runs after a kill.
   */
  static final int PREFETCH_MULTIPLIER = 4;

  private AmqpCrashingWorkerMain() {}

  public static void main(String[] args) throws IOException {
    String name = args[0];
    String prefix = args[1];
    Path log = Path.of(args[2]);
    int workers = Integer.parseInt(args[3]);

    SystemTimeSource time = new SystemTimeSource();
    FileChannel executions = openExecutionLog(log);
    AmqpBroker broker =
        AmqpBroker.connect(
            AmqpTests.uri(),
            time,
            AmqpBroker.DEFAULT_LEASE,
            AmqpBroker.DEFAULT_LIVENESS_WINDOW,
            prefix);
    // the killed JVM cannot delete its reply queue: the server does, a minute after the kill
    AmqpBackend backend =
        AmqpBackend.connect(
            AmqpTests.uri(),
            time,
            AmqpBackend.Options.DEFAULTS
                .withPrefix(prefix)
                .withReplyQueueExpiry(Duration.ofMinutes(1)));
    TaskApp app =
        TaskApp.builder()
            .mode(TaskApp.Mode.REMOTE)
            .timeSource(time)
            .prefetchMultiplier(PREFETCH_MULTIPLIER)
            .build();
    app.use(broker, Role.NAMED_CONSUMER);
    app.use(backend, Role.REPORTER);
    app.register(name, int.class, int.class, n -> execute(executions, n));
    app.allocate(name, workers, 0);
    System.out.println("ready");
    System.out.flush();

    // runs until SIGKILL; returns (and exits) only when the parent closes stdin
    InputStream in = System.in;
    while (in.read() >= 0) {
      // ignore input
    }
    Runtime.getRuntime().halt(0);
  }

  /**
   * An execution log: a file opened for appending, one line ({@code <n>\n}) per execution. Each
   * line is one {@code write} to a file opened with {@code O_APPEND}, so lines of concurrent
   * workers do not interleave and a line written before a SIGKILL is in the file (the kernel holds
   * it; the process need not flush anything).
   */
  static FileChannel openExecutionLog(Path log) throws IOException {
    return FileChannel.open(
        log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** The task: records the execution in {@code executions}, sleeps 5-20 ms, returns {@code 2n}. */
  static int execute(FileChannel executions, int n) {
    ByteBuffer line = ByteBuffer.wrap((n + "\n").getBytes(US_ASCII));
    try {
      while (line.hasRemaining()) {
        var _ = executions.write(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the execution of " + n, e);
    }
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(5, 21));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return 2 * n;
  }
}
