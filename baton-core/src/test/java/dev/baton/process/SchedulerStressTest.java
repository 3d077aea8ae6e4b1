package dev.baton.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registry;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many processes, handlers that complete at once, on another thread or after a random delay, and
 * random terminations: every process must end exactly once, and none may be lost or run twice.
 */
class SchedulerStressTest {
  private static final CommandId WORK = CommandId.of(210);
  private static final int PROCESSES = 10_000;
  private static final int STEPS = 5;

  /** A command completed in one of three ways, chosen at random by its handler. */
  record Work(int step) implements dev.baton.dispatch.Command<Integer> {
    @Override
    public CommandId commandId() {
      return WORK;
    }
  }

  /**
   * Yields {@link #STEPS} works one after another; fails if it ever runs on two threads at once.
   */
  static final class Stepper implements StepProcess {
    private final AtomicInteger running = new AtomicInteger();
    private int completed;

    @Override
    public void step(List<Event> events, StepOutput out) {
      if (running.incrementAndGet() != 1) {
        throw new IllegalStateException("stepped on two workers at once");
      }
      try {
        for (Event event : events) {
          if (event instanceof Event.Completion completion && completion.succeeded()) {
            completed++;
          }
        }
        if (completed == STEPS) {
          out.done(completed);
        } else {
          out.yield(new Work(completed));
        }
      } finally {
        running.decrementAndGet();
      }
    }
  }

  @Test
  void tenThousandProcesses_withRandomDelaysAndTerminations_eachEndExactlyOnce() throws Exception {
    Map<Pid, AtomicInteger> endings = new ConcurrentHashMap<>();
    Map<Pid, ProcessResult> results = new ConcurrentHashMap<>();
    CountDownLatch allEnded = new CountDownLatch(PROCESSES);
    ExecutorService completers = Executors.newFixedThreadPool(2);
    try (SystemTimeSource time = new SystemTimeSource("stress-timer")) {
      Registry registry = new Registry();
      registry.reservations().reserve("stress", WORK);
      Registrar registrar = registry.registrar("stress");
      registrar.register(
          WORK,
          (context, command, tag, receiver) -> {
            int step = ((Work) command).step();
            switch (ThreadLocalRandom.current().nextInt(3)) {
              case 0 -> receiver.completeYield(tag, step, null);
              case 1 -> completers.execute(() -> receiver.completeYield(tag, step, null));
              default ->
                  time.schedule(
                      Duration.ofNanos(ThreadLocalRandom.current().nextInt(200_000)),
                      () -> receiver.completeYield(tag, step, null));
            }
          });
      registry.freeze();
      Scheduler scheduler =
          Scheduler.builder()
              .registry(registry)
              .timeSource(time)
              .workers(2)
              .listener(
                  new ProcessListener() {
                    @Override
                    public void onComplete(Pid pid, ProcessResult result) {
                      endings.computeIfAbsent(pid, key -> new AtomicInteger()).incrementAndGet();
                      results.put(pid, result);
                      allEnded.countDown();
                    }
                  })
              .build();
      try {
        List<Pid> pids = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < PROCESSES; i++) {
          pids.add(scheduler.spawn(new Stepper()));
          if (random.nextInt(10) == 0) {
            Pid victim = pids.get(random.nextInt(pids.size()));
            try {
              scheduler.terminate(victim, "stress");
            } catch (ProcessNotFoundException alreadyEnded) {
              // it finished first: fine
            }
          }
        }

        assertThat(allEnded.await(60, TimeUnit.SECONDS)).as("every process ended").isTrue();
        assertThat(endings).hasSize(PROCESSES);
        assertThat(endings.values()).allSatisfy(count -> assertThat(count).hasValue(1));
        assertThat(results.values())
            .allSatisfy(
                result -> {
                  if (result.isNormal()) {
                    assertThat(result.value()).isEqualTo(STEPS);
                  } else {
                    assertThat(result.error()).isInstanceOf(ProcessTerminatedException.class);
                  }
                });
        assertThat(scheduler.processes()).isEmpty();
      } finally {
        scheduler.shutdown(Duration.ofSeconds(5));
      }
    } finally {
      completers.shutdownNow();
    }
  }
}
