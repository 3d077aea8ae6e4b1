package dev.baton.process;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Model-checks {@link RunState}, the wake-up state machine of a step process, with Lincheck: every
 * interleaving of events arriving and workers running the process (within Lincheck's bounds) must
 * keep the process queued at most once, never run on two workers at once, and never strand an event
 * (an event queued while nobody will run the process).
 *
 * <p>The scenario models the runtime around the state machine: an event is counted in the inbox and
 * then the state is woken; a worker dequeues the process, starts it, drains the inbox, and parks it
 * (or asks to run again), queueing it when the state machine says so.
 */
public class RunStateLincheckTest {
  private final RunState run = new RunState();
  private final AtomicInteger inbox = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger(1); // spawned: READY and queued once
  private final AtomicBoolean running = new AtomicBoolean();

  /** Lincheck creates a fresh instance, reflectively, for every scenario. */
  public RunStateLincheckTest() {}

  /** A completion or message arrives from another thread. */
  @Operation
  public void deliver() {
    inbox.incrementAndGet();
    if (run.wake()) {
      enqueue();
    }
  }

  /** A worker takes the process from the queue, runs a step that drains the inbox, and parks it. */
  @Operation
  public void workerRunsAndWaits() {
    runOnce(false);
  }

  /** A worker runs a step that asks to run again. */
  @Operation
  public void workerRunsAndContinues() {
    runOnce(true);
  }

  private void runOnce(boolean continueRunning) {
    if (!queued.compareAndSet(1, 0)) {
      return; // nothing queued: this worker finds no work
    }
    if (!run.start()) {
      throw new AssertionError("a queued process could not start");
    }
    if (!running.compareAndSet(false, true)) {
      throw new AssertionError("the process runs on two workers at once");
    }
    inbox.set(0); // the step consumes every event queued so far
    running.set(false);
    if (continueRunning) {
      run.readyAgain();
      enqueue();
    } else if (run.park(ProcessState.BLOCKED)) {
      enqueue();
    }
  }

  private void enqueue() {
    if (queued.incrementAndGet() > 1) {
      throw new AssertionError("the process is queued twice");
    }
  }

  /** After any interleaving, an event waiting in the inbox means the process is queued to run. */
  @Validate
  public void noEventIsStranded() {
    if (inbox.get() > 0 && queued.get() != 1) {
      throw new AssertionError(
          "an event waits but the process is " + run.state() + " and not queued");
    }
  }

  @Test
  void noLostWakeUp_noDoubleQueue_noDoubleRun_inEveryInterleaving() {
    ModelCheckingOptions options = new ModelCheckingOptions();
    options.iterations(30);
    options.invocationsPerIteration(1_000);
    options.threads(3);
    options.actorsPerThread(3);
    // Throws, with the failing interleaving, if any scenario breaks an invariant.
    options.check(RunStateLincheckTest.class);
  }
}
