package dev.baton.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * A scheduler's worker thread: it runs process steps from its fork/join queue, steals from the
 * others when its own is empty, and owns the {@link StepOutputBuffer} it lends to each step.
 *
 * <p>The counters are written only by this thread (opaque writes) and read by inspection from any
 * thread, which may see slightly old values.
 */
final class Worker extends ForkJoinWorkerThread {
  private static final VarHandle EXECUTED;
  private static final VarHandle STOLEN;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      EXECUTED = lookup.findVarHandle(Worker.class, "executed", long.class);
      STOLEN = lookup.findVarHandle(Worker.class, "stolen", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Scheduler scheduler;
  final int index;
  final StepOutputBuffer output = new StepOutputBuffer();

  @SuppressWarnings("unused") // accessed through EXECUTED
  private long executed;

  @SuppressWarnings("unused") // accessed through STOLEN
  private long stolen;

  Worker(ForkJoinPool pool, Scheduler scheduler, int index) {
    super(null, pool, true);
    this.scheduler = scheduler;
    this.index = index;
    setName("baton-worker-" + index);
    setDaemon(true);
  }

  /** Counts a step about to run here; a cell queued by another worker counts as stolen. */
  void countExecution(int queuedBy) {
    EXECUTED.setOpaque(this, (long) EXECUTED.getOpaque(this) + 1);
    if (queuedBy >= 0 && queuedBy != index) {
      STOLEN.setOpaque(this, (long) STOLEN.getOpaque(this) + 1);
    }
  }

  WorkerStats stats() {
    return new WorkerStats(index, (long) EXECUTED.getOpaque(this), (long) STOLEN.getOpaque(this));
  }
}
