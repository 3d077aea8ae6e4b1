package dev.baton.cli.demo;

import dev.baton.process.Event;
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import dev.baton.process.SchedulerStats;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.process.WorkerStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The demo's process part: a step process and a coroutine yield the greeter's commands and resume
 * with their results, then many step processes run round trips through the scheduler's workers.
 */
final class ProcessesDemo {
  private static final long WAIT_SECONDS = 30;

  private ProcessesDemo() {}

  /**
   * A step process that greets each name in turn, one yield per step, and ends with the greetings.
   */
  private static final class GreetEach implements StepProcess {
    private final List<String> names;
    private final List<Object> greetings = new ArrayList<>();
    private final CompletableFuture<List<Object>> done;

    GreetEach(List<String> names, CompletableFuture<List<Object>> done) {
      this.names = names;
      this.done = done;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Event.Completion completion) {
          greetings.add(completion.succeeded() ? String.valueOf(completion.result()) : "failed");
        }
      }
      if (greetings.size() == names.size()) {
        done.complete(List.copyOf(greetings));
        out.done(greetings.size());
      } else {
        out.yield(new GreeterModule.Greet(names.get(greetings.size())));
      }
    }
  }

  /** A step process that runs {@code roundTrips} greets, one after another, then counts down. */
  private static final class RoundTrips implements StepProcess {
    private static final GreeterModule.Greet GREET = new GreeterModule.Greet("burst");
    private final int roundTrips;
    private final CountDownLatch finished;
    private final ProgressBar.Phase phase;
    private int completed;

    RoundTrips(int roundTrips, CountDownLatch finished, ProgressBar.Phase phase) {
      this.roundTrips = roundTrips;
      this.finished = finished;
      this.phase = phase;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      completed += events.size();
      phase.add(events.size());
      if (completed >= roundTrips) {
        finished.countDown();
        out.done(completed);
      } else {
        out.yield(GREET);
      }
    }
  }

  /** Runs the demo on {@code scheduler}, counting round trips on {@code phase}. */
  static void run(
      PrintWriter out, Scheduler scheduler, int processes, int roundTrips, ProgressBar.Phase phase)
      throws Exception {
    out.println("Processes (" + scheduler.parallelism() + " workers):");
    CompletableFuture<List<Object>> greetings = new CompletableFuture<>();
    Pid stepPid = scheduler.spawn(new GreetEach(List.of("Ada", "Grace", "Linus"), greetings));
    out.println(
        "  step process "
            + stepPid
            + " yielded 3 Greet commands and resumed with "
            + greetings.get(WAIT_SECONDS, TimeUnit.SECONDS));

    CompletableFuture<Object> coroutineResult = new CompletableFuture<>();
    Pid coroutinePid =
        scheduler.spawnCoroutine(
            (process, input) -> {
              Object greeting =
                  process.call(new GreeterModule.GreetLater("Barbara", Duration.ofMillis(20)));
              coroutineResult.complete(greeting);
              return greeting;
            });
    out.println(
        "  coroutine "
            + coroutinePid
            + " called GreetLater in straight-line code and got \""
            + coroutineResult.get(WAIT_SECONDS, TimeUnit.SECONDS)
            + "\"");

    CountDownLatch finished = new CountDownLatch(processes);
    for (int i = 0; i < processes; i++) {
      scheduler.spawn(new RoundTrips(roundTrips, finished, phase));
    }
    if (!finished.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the round-trip processes did not finish in time");
    }
    out.printf(
        Locale.ROOT,
        "  %,d processes x %,d round trips (yield -> handler -> resume), all completed%n",
        processes,
        roundTrips);
    SchedulerStats stats = scheduler.stats();
    for (WorkerStats worker : stats.workers()) {
      out.printf(
          Locale.ROOT,
          "  worker %d: %,d steps run, %,d stolen from another worker%n",
          worker.index(),
          worker.executed(),
          worker.stolen());
    }
  }
}
