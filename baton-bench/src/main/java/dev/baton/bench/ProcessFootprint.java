package dev.baton.bench;

import dev.baton.dispatch.Registry;
import dev.baton.process.Event;
import dev.baton.process.Scheduler;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.time.SystemTimeSource;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Memory per idle process and spawn rate, at one million processes: spawns them (a pid returned and
 * {@code init} run for each), waits until every one has run its first step and gone idle, then
 * compares the live heap after a full collection with the heap before.
 *
 * <p>Not a JMH benchmark: it measures a state (a million live processes), not an operation. Run it
 * in a fresh JVM with room for the processes:
 *
 * <pre>
 * java -Xmx6g -cp baton-bench/target/benchmarks.jar dev.baton.bench.ProcessFootprint step 1000000
 * java -Xmx6g -cp baton-bench/target/benchmarks.jar dev.baton.bench.ProcessFootprint coroutine 1000000
 * </pre>
 *
 * It prints one line: kind, count, bytes per idle process, and spawns per second.
 */
public final class ProcessFootprint {
  private ProcessFootprint() {}

  /** A process that has nothing to do until a message comes. */
  static final class Idle implements StepProcess {
    @Override
    public void step(List<Event> events, StepOutput out) {
      out.idle();
    }
  }

  public static void main(String[] args) {
    String kind = args.length > 0 ? args[0] : "step";
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    if (!kind.equals("step") && !kind.equals("coroutine")) {
      throw new IllegalArgumentException("kind must be step or coroutine, was " + kind);
    }
    Registry registry = new Registry();
    registry.freeze();
    try (SystemTimeSource time = new SystemTimeSource("footprint-timer")) {
      Scheduler scheduler = Scheduler.builder().registry(registry).timeSource(time).build();
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long before = settledHeap(memory);
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        if (kind.equals("step")) {
          scheduler.spawn(new Idle());
        } else {
          scheduler.spawnCoroutine((process, input) -> process.receive().payload());
        }
      }
      long spawnNanos = System.nanoTime() - start;
      awaitAllIdle(scheduler, kind, count);
      long after = settledHeap(memory);
      System.out.printf(
          Locale.ROOT,
          "kind=%s processes=%d bytes_per_idle_process=%d spawns_per_second=%.0f%n",
          kind,
          count,
          (after - before) / count,
          count * 1e9 / spawnNanos);
      scheduler.shutdown(Duration.ofSeconds(60));
    }
  }

  /**
   * Waits until every process has run its first step (steps) or is parked receiving (coroutines).
   */
  private static void awaitAllIdle(Scheduler scheduler, String kind, int count) {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      long settled =
          kind.equals("step")
              ? scheduler.stats().executed()
              : scheduler.processes().stream()
                  .filter(info -> info.state() == dev.baton.process.ProcessState.IDLE)
                  .count();
      if (settled >= count) {
        return;
      }
      LockSupport.parkNanos(50_000_000);
    }
    throw new IllegalStateException("the processes did not all go idle within 5 minutes");
  }

  private static long settledHeap(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
