package dev.baton.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a peer's command of the remote-task benchmark (Celery's {@code run.sh}, {@code
 * redis-benchmark}, PerfTest) and reports the CPU its processes used, grouped by what their command
 * lines contain, and the CPU of the broker servers (the processes listening on Redis's and
 * RabbitMQ's ports) over the run. The command's output passes through unchanged.
 *
 * <p>A peer's processes end by themselves, and {@code /proc} forgets a process once it is reaped,
 * so the command's process tree is sampled every {@value #SAMPLE_MILLIS} ms and each process's last
 * reading counts: a process's CPU in its last interval before it ends is missed (at most {@value
 * #SAMPLE_MILLIS} ms of CPU per process).
 *
 * <pre>
 * java -cp baton-bench/target/benchmarks.jar dev.baton.bench.MeasuredCommand \
 *     [--group LABEL=SUBSTRING]... [--bound SECONDS] -- COMMAND [ARGS]...
 * </pre>
 *
 * <p>After the command ends prints {@code cpu wall_s=... <label>_cpu_s=... other_cpu_s=...
 * redis_cpu_s=... rabbitmq_cpu_s=...} and exits with the command's exit code. A process whose
 * command line contains none of the groups' substrings counts as {@code other}; the first group
 * that matches wins.
 */
public final class MeasuredCommand {
  static final int SAMPLE_MILLIS = 20;

  private MeasuredCommand() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> groups = new LinkedHashMap<>();
    Duration bound = Duration.ofMinutes(10);
    int i = 0;
    for (; i < args.length && !args[i].equals("--"); i++) {
      switch (args[i]) {
        case "--group" -> {
          String[] kv = args[++i].split("=", 2);
          if (kv.length != 2 || kv[0].isEmpty() || kv[1].isEmpty()) {
            throw new IllegalArgumentException("--group takes LABEL=SUBSTRING, got " + args[i]);
          }
          groups.put(kv[0], kv[1]);
        }
        case "--bound" -> bound = Duration.ofSeconds(Long.parseLong(args[++i]));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<String> command = List.of(args).subList(Math.min(i + 1, args.length), args.length);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no command after --");
    }

    RemoteTaskHarness.Servers servers = RemoteTaskHarness.Servers.find();
    double redisBefore = cpuOf(servers.redis());
    double rabbitBefore = cpuOf(servers.rabbit());
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).inheritIO().start();
    Map<Long, Double> lastCpu = new HashMap<>();
    Map<Long, String> commandLines = new HashMap<>();
    long deadline = start + bound.toNanos();
    while (!process.waitFor(SAMPLE_MILLIS, TimeUnit.MILLISECONDS)) {
      sample(process.toHandle(), lastCpu, commandLines);
      if (System.nanoTime() > deadline) {
        System.err.println("the command ran past " + bound + "; destroying it by pid");
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          var _ = process.destroyForcibly();
        }
        break;
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    double redis = cpuOf(servers.redis()) - redisBefore;
    double rabbit = cpuOf(servers.rabbit()) - rabbitBefore;
    int exit = process.waitFor();

    Map<String, Double> byGroup = new LinkedHashMap<>();
    groups.keySet().forEach(label -> byGroup.put(label, 0.0));
    byGroup.put("other", 0.0);
    lastCpu.forEach(
        (pid, cpu) -> {
          String line = commandLines.getOrDefault(pid, "");
          String label =
              groups.entrySet().stream()
                  .filter(g -> line.contains(g.getValue()))
                  .map(Map.Entry::getKey)
                  .findFirst()
                  .orElse("other");
          byGroup.merge(label, cpu, Double::sum);
        });
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "cpu wall_s=%.2f", wall));
    byGroup.forEach(
        (label, cpu) ->
            out.append(' ').append(label).append("_cpu_s=").append(ProcessCpu.format(cpu)));
    out.append(" redis_cpu_s=").append(ProcessCpu.format(redis));
    out.append(" rabbitmq_cpu_s=").append(ProcessCpu.format(rabbit));
    System.out.println(out);
    System.exit(exit);
  }

  private static void sample(
      ProcessHandle root, Map<Long, Double> lastCpu, Map<Long, String> commandLines) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(root);
    try (Stream<ProcessHandle> descendants = root.descendants()) {
      descendants.forEach(tree::add);
    }
    for (ProcessHandle p : tree) {
      double cpu = ProcessCpu.seconds(p);
      if (!Double.isNaN(cpu)) {
        lastCpu.put(p.pid(), cpu);
        // read each time: a forked shell becomes the command it execs under the same pid
        p.info().commandLine().ifPresent(line -> commandLines.put(p.pid(), line));
      }
    }
  }

  private static double cpuOf(OptionalLong pid) {
    return pid.isPresent() ? ProcessCpu.seconds(pid.getAsLong()) : Double.NaN;
  }
}
