package dev.baton.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.baton.tasks.Result;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Baton's remote-task benchmark: end-to-end tasks per second of trivial {@code add(x, y)} calls
 * with their results, through a real broker, one worker JVM of {@value #WORKERS} workers and one
 * caller (this JVM). A plain program, not JMH: the figure is a batch's wall-clock time, as the
 * peers (Celery's producer) measure theirs.
 *
 * <p>It starts {@link RemoteWorkerMain} with this JVM's {@code java} and class path (plus the
 * options in {@code BATON_BENCH_WORKER_OPTS}, split on spaces, e.g. a flight recording), waits for
 * its {@code ready} line, sends the warm-up calls and waits for them (not counted), then runs the
 * rounds: each sends all its calls asynchronously ({@code call} returns at once), waits for every
 * result and checks every sum. A call's latency runs from just before its {@code call} to the
 * completion of its result, so with the whole batch sent at once it includes the time the call
 * waits in the queue behind the calls before it. CPU is read from {@code /proc} before and after
 * each round, for the worker JVM, this JVM, and the processes listening on Redis's and RabbitMQ's
 * ports (which also count whatever else uses those servers meanwhile).
 *
 * <p>Threads: the calls are sent from the main thread; each result's completion stamps its slot of
 * the round's {@code done} array on whichever thread completes it (one writer per slot), and the
 * main thread reads the array only after every completion stage has finished ({@code allOf} of the
 * stages that stamp, which orders the writes before the read).
 *
 * <p>Every run names its task, and the adapters that take a prefix name their queues, with a random
 * run id, and the run deletes what it made at the end; the worker is stopped by closing its
 * standard input, then by pid (destroy, then destroyForcibly) if it does not exit in time.
 *
 * <pre>
 * java -cp baton-bench/target/benchmarks.jar dev.baton.bench.RemoteTaskHarness \
 *     [transport] [rounds] [calls per round] [warm-up calls]
 * </pre>
 *
 * <p>Prints a line per round and a {@code summary} line (the round of median throughput) of {@code
 * key=value} pairs that {@code scripts/bench} reads.
 */
public final class RemoteTaskHarness {
  /** The benchmark's worker count (the issue's: 2, as Celery's {@code -c 2}). */
  static final int WORKERS = 2;

  private static final Duration READY_BOUND = Duration.ofSeconds(60);
  private static final Duration ROUND_BOUND = Duration.ofMinutes(5);
  private static final Duration STOP_BOUND = Duration.ofSeconds(15);

  private RemoteTaskHarness() {}

  public static void main(String[] args) throws Exception {
    RemoteTransport transport = RemoteTransport.named(args.length > 0 ? args[0] : "redis");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int calls = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    int warmUp = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
    if (rounds < 1 || calls < 1 || warmUp < 0) {
      throw new IllegalArgumentException(
          "rounds and calls must be at least 1, warm-up calls 0 or more");
    }
    String runId = "bench" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    String name = taskName(runId);

    List<RoundResult> results = new ArrayList<>();
    WorkerJvm worker = WorkerJvm.start(transport, runId);
    try {
      worker.awaitReady();
      try (SystemTimeSource time = new SystemTimeSource();
          RemoteTransport.Adapters adapters = transport.open(time, runId);
          TaskApp caller =
              TaskApp.builder()
                  .mode(TaskApp.Mode.REMOTE)
                  .timeSource(time)
                  .workerId(runId + ".caller")
                  .build()) {
        caller.use(adapters.broker(), Role.PRODUCER);
        caller.use(adapters.backend(), Role.STORE);
        Servers servers = Servers.find();
        System.out.printf(
            Locale.ROOT,
            "remote %s: worker pid %d (%d workers), caller pid %d, redis-server pid %s,"
                + " rabbitmq pid %s; warm-up %d calls, %d rounds of %d calls%n",
            transport.label(),
            worker.pid(),
            workers(),
            ProcessHandle.current().pid(),
            servers.redis.isPresent() ? servers.redis.getAsLong() : "n/a",
            servers.rabbit.isPresent() ? servers.rabbit.getAsLong() : "n/a",
            warmUp,
            rounds,
            calls);
        if (warmUp > 0) {
          var _ = runRound(caller, name, warmUp, worker, servers);
        }
        for (int r = 1; r <= rounds; r++) {
          RoundResult result = runRound(caller, name, calls, worker, servers);
          results.add(result);
          System.out.println("round " + r + ": " + result.describe());
        }
      }
    } finally {
      try {
        worker.stop();
      } finally {
        BenchCleanup.forTransport(transport, runId);
      }
    }
    RoundResult median =
        results.stream()
            .sorted(Comparator.comparingDouble(RoundResult::tasksPerSecond))
            .toList()
            .get(results.size() / 2);
    System.out.println("median: " + median.describe());
    System.out.println("summary transport=" + transport.label() + " " + median.keyValues());
  }

  /**
   * The worker count: {@value #WORKERS}, or {@code BATON_BENCH_WORKERS} for a diagnostic run (the
   * count is also the worker's prefetch, so raising it shows how much the in-flight bound limits).
   */
  static int workers() {
    String value = System.getenv("BATON_BENCH_WORKERS");
    return value == null || value.isBlank() ? WORKERS : Integer.parseInt(value.strip());
  }

  /** The run's task name: every queue and key of the run carries the run id. */
  static String taskName(String runId) {
    return runId + ".add";
  }

  /** Sends {@code calls} calls at once, waits for all, checks them; returns the round's figures. */
  private static RoundResult runRound(
      TaskApp caller, String name, int calls, WorkerJvm worker, Servers servers) throws Exception {
    long[] sent = new long[calls];
    long[] done = new long[calls];
    List<CompletableFuture<Integer>> futures = new ArrayList<>(calls);
    Cpu before = Cpu.read(worker, servers);
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      int index = i;
      sent[i] = System.nanoTime();
      Result<Integer> result = caller.call(name, Integer.class, null, i, i + 1);
      futures.add(
          result
              .toCompletableFuture()
              .whenComplete(
                  (_, _) -> {
                    done[index] = System.nanoTime();
                  }));
    }
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(ROUND_BOUND.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      long completed = futures.stream().filter(CompletableFuture::isDone).count();
      throw new IllegalStateException(
          completed + " of " + calls + " calls completed within " + ROUND_BOUND, e);
    }
    long end = Arrays.stream(done).max().orElse(start);
    Cpu after = Cpu.read(worker, servers);
    for (int i = 0; i < calls; i++) {
      Integer sum = futures.get(i).join();
      if (sum == null || sum != 2 * i + 1) {
        throw new IllegalStateException("add(" + i + ", " + (i + 1) + ") returned " + sum);
      }
    }
    long[] latency = new long[calls];
    for (int i = 0; i < calls; i++) {
      latency[i] = done[i] - sent[i];
    }
    Arrays.sort(latency);
    return new RoundResult(
        calls,
        (end - start) / 1e9,
        percentile(latency, 0.50) / 1e6,
        percentile(latency, 0.99) / 1e6,
        after.minus(before));
  }

  private static long percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.clamp(index, 0, sorted.length - 1)];
  }

  /** A round's figures. */
  record RoundResult(int calls, double seconds, double p50Millis, double p99Millis, Cpu cpu) {
    double tasksPerSecond() {
      return calls / seconds;
    }

    String describe() {
      return String.format(
          Locale.ROOT,
          "%d calls in %.3f s = %.0f tasks/s; latency p50 %.1f ms, p99 %.1f ms; CPU s: worker %s,"
              + " caller %s, redis-server %s, rabbitmq %s",
          calls,
          seconds,
          tasksPerSecond(),
          p50Millis,
          p99Millis,
          ProcessCpu.format(cpu.worker),
          ProcessCpu.format(cpu.caller),
          ProcessCpu.format(cpu.redis),
          ProcessCpu.format(cpu.rabbit));
    }

    String keyValues() {
      return String.format(
          Locale.ROOT,
          "calls=%d seconds=%.3f tasks_s=%.0f p50_ms=%.1f p99_ms=%.1f worker_cpu_s=%s"
              + " caller_cpu_s=%s redis_cpu_s=%s rabbitmq_cpu_s=%s",
          calls,
          seconds,
          tasksPerSecond(),
          p50Millis,
          p99Millis,
          ProcessCpu.format(cpu.worker),
          ProcessCpu.format(cpu.caller),
          ProcessCpu.format(cpu.redis),
          ProcessCpu.format(cpu.rabbit));
    }
  }

  /** The broker servers' processes, found by the ports they listen on. */
  record Servers(OptionalLong redis, OptionalLong rabbit) {
    static Servers find() {
      int redisPort = RemoteTransport.redisUri().getPort();
      int amqpPort = RemoteTransport.amqpUri().getPort();
      return new Servers(
          ProcessCpu.listenerOf(redisPort < 0 ? 6379 : redisPort),
          ProcessCpu.listenerOf(amqpPort < 0 ? 5672 : amqpPort));
    }
  }

  /** CPU seconds used so far (or during a round, as a difference) by each process measured. */
  record Cpu(double worker, double caller, double redis, double rabbit) {
    static Cpu read(WorkerJvm worker, Servers servers) {
      return new Cpu(
          ProcessCpu.seconds(worker.process.toHandle()),
          ProcessCpu.seconds(ProcessHandle.current()),
          servers.redis.isPresent() ? ProcessCpu.seconds(servers.redis.getAsLong()) : Double.NaN,
          servers.rabbit.isPresent() ? ProcessCpu.seconds(servers.rabbit.getAsLong()) : Double.NaN);
    }

    Cpu minus(Cpu earlier) {
      return new Cpu(
          worker - earlier.worker,
          caller - earlier.caller,
          redis - earlier.redis,
          rabbit - earlier.rabbit);
    }
  }

  /** The worker JVM: started with this JVM's java and class path, its output drained. */
  static final class WorkerJvm {
    final Process process;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

    private WorkerJvm(Process process) {
      this.process = process;
      Thread.ofPlatform().daemon().name("remote-worker-output").start(this::drain);
    }

    static WorkerJvm start(RemoteTransport transport, String runId) throws IOException {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElseThrow(() -> new IllegalStateException("this JVM's java command is unknown"));
      List<String> command = new ArrayList<>();
      command.add(java);
      String options = System.getenv("BATON_BENCH_WORKER_OPTS");
      if (options != null && !options.isBlank()) {
        command.addAll(Arrays.asList(options.trim().split("\\s+", -1)));
      }
      command.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              RemoteWorkerMain.class.getName(),
              transport.label(),
              runId,
              Integer.toString(workers())));
      // the worker's standard error shows in the harness's (warnings and errors only)
      Process p =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      return new WorkerJvm(p);
    }

    long pid() {
      return process.pid();
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
      } catch (IOException _) {
        // the worker ended
      } finally {
        ready.completeExceptionally(
            new IllegalStateException("the worker JVM ended before it was ready: " + lines));
      }
    }

    void awaitReady() throws Exception {
      try {
        ready.get(READY_BOUND.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "the worker JVM was not ready within " + READY_BOUND + ": " + lines, e);
      }
    }

    /** Closes the worker's stdin; then destroy, then destroyForcibly, each after a bound. */
    void stop() throws InterruptedException {
      try {
        process.getOutputStream().close();
      } catch (IOException _) {
        // already gone
      }
      if (process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS)) {
        return;
      }
      System.err.println("the worker JVM " + process.pid() + " did not stop; destroying it");
      process.destroy();
      if (process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS)) {
        return;
      }
      var _ = process.destroyForcibly();
      if (!process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the worker JVM " + process.pid() + " survived SIGKILL");
      }
    }
  }
}
