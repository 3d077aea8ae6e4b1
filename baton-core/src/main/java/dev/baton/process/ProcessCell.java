package dev.baton.process;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.time.Scheduled;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.ForkJoinTask;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step process inside the scheduler: its state machine, its {@link Inbox}, and the task a
 * worker runs to step it.
 *
 * <p><b>Scheduling.</b> The cell is itself the {@link ForkJoinTask} queued on the scheduler's pool,
 * so waking a process allocates nothing. {@link #exec()} always returns {@code false}: the task
 * never "completes" in the fork/join sense, which is what allows the same object to be queued again
 * after each step (the pattern Akka's mailboxes use). The state machine, not the pool, guarantees
 * that it is queued at most once at a time.
 *
 * <p><b>State.</b> One int, changed only by CAS: a {@link ProcessState} as the low bits, plus a
 * {@link #WAKE} bit that records an event arriving while the process is {@code RUNNING}. Whoever
 * moves the state to {@code READY} queues the cell; the worker that moves it from {@code READY} to
 * {@code RUNNING} owns it until it moves it on. When the step ends the worker parks the process
 * ({@code BLOCKED}/{@code IDLE}) with a CAS from the exact value it read, so an event that set
 * {@link #WAKE} in between makes the CAS fail and the process is queued again instead: no event is
 * lost, and a process never runs on two workers at once.
 *
 * <p><b>Events.</b> Completions and messages go to the {@link Inbox}; the running worker swaps the
 * inbox's filling batch for its spare one, so the step reads its events without a lock and neither
 * side allocates a list.
 */
final class ProcessCell extends ForkJoinTask<Void> implements ProcessRecord, ResultReceiver {
  private static final Logger log = LoggerFactory.getLogger(ProcessCell.class);

  static final int STATE_MASK = 0x7;
  static final int WAKE = 0x8;
  // The ProcessState values as the bits of the state word; see processState().
  private static final int READY = 0;
  private static final int RUNNING = 1;
  private static final int BLOCKED = 2;
  private static final int IDLE = 3;
  private static final int COMPLETE = 4;
  private static final VarHandle STATE;
  private static final VarHandle STEPS;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE = lookup.findVarHandle(ProcessCell.class, "state", int.class);
      STEPS = lookup.findVarHandle(ProcessCell.class, "steps", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Scheduler scheduler;
  private final Pid pid;
  private final StepProcess process;
  private final CancellationSignal cancellation = new CancellationSignal();
  private final Inbox inbox = new Inbox();

  /** One of the state bits above, possibly with {@link #WAKE}; changed by CAS only. */
  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state = READY;

  /** Written only by the running worker (opaque), read by inspection. */
  @SuppressWarnings("unused") // accessed through STEPS
  private long steps;

  // Owned by the worker running the process (handed over through the state CAS).
  private EventBatch spareBatch = new EventBatch();
  private long lastTag;

  /** The worker that queued this cell, or -1 when an outside thread did; for steal counts. */
  int queuedBy = -1;

  private volatile @Nullable String terminationReason;

  /**
   * The process's context, a separate object because {@link ForkJoinTask} already defines {@code
   * isCancelled()} with another meaning.
   */
  private final ProcessContext context =
      new ProcessContext() {
        @Override
        public Pid pid() {
          return pid;
        }

        @Override
        public boolean isCancelled() {
          return cancellation.isCancelled();
        }

        @Override
        public Registration onCancel(Runnable action) {
          return cancellation.onCancel(action);
        }

        @Override
        public AppContext services() {
          return scheduler.services();
        }
      };

  ProcessCell(Scheduler scheduler, Pid pid, StepProcess process) {
    this.scheduler = scheduler;
    this.pid = pid;
    this.process = process;
  }

  @Override
  public Pid pid() {
    return pid;
  }

  @Override
  public String typeName() {
    return process.getClass().getName();
  }

  ProcessContext context() {
    return context;
  }

  StepProcess process() {
    return process;
  }

  @Override
  public ProcessState processState() {
    return stateOf((int) STATE.getVolatile(this));
  }

  private static ProcessState stateOf(int stateWord) {
    return switch (stateWord & STATE_MASK) {
      case READY -> ProcessState.READY;
      case RUNNING -> ProcessState.RUNNING;
      case BLOCKED -> ProcessState.BLOCKED;
      case IDLE -> ProcessState.IDLE;
      default -> ProcessState.COMPLETE;
    };
  }

  /** Checks and records a transition; only ever called from an assert. */
  private static boolean transition(int from, int to) {
    return StateTransitions.record(stateOf(from), stateOf(to));
  }

  @Override
  public long steps() {
    return (long) STEPS.getOpaque(this);
  }

  long nextTag() {
    return ++lastTag;
  }

  // ---- events (any thread) ----

  @Override
  public void completeYield(long tag, @Nullable Object result, @Nullable Throwable error) {
    if (inbox.complete(tag, result, error)) {
      wake();
    }
  }

  @Override
  public boolean offerMessage(Message message, int capacity) {
    if (!inbox.offerMessage(message, capacity, pid)) {
      return false;
    }
    wake();
    return true;
  }

  @Override
  public void terminate(String reason) {
    if (terminationReason == null) {
      terminationReason = reason;
    }
    cancellation.cancel();
    wake();
  }

  /** Queues the process if it is waiting, or marks the wake-up if it is running. */
  private void wake() {
    while (true) {
      int current = (int) STATE.getVolatile(this);
      int stateBits = current & STATE_MASK;
      if (stateBits == BLOCKED || stateBits == IDLE) {
        if (STATE.compareAndSet(this, current, READY)) {
          assert transition(current, READY);
          scheduler.submit(this);
          return;
        }
      } else if (stateBits == RUNNING) {
        if ((current & WAKE) != 0 || STATE.compareAndSet(this, current, current | WAKE)) {
          return;
        }
      } else {
        return; // READY: already queued; COMPLETE: nobody to wake
      }
    }
  }

  // ---- running (the worker that moved the state from READY to RUNNING) ----

  @Override
  protected boolean exec() {
    try {
      runStep();
    } catch (Throwable bug) {
      // A failure here is a bug of the runtime, not of the process; never let it reach the pool.
      log.error("process {} crashed the runtime's step loop", pid, bug);
      finish(ProcessResult.failed(bug));
    }
    return false; // never "done": the cell is queued again for its next step
  }

  private void runStep() {
    if (!STATE.compareAndSet(this, READY, RUNNING)) {
      return; // not ready (already finished): a stale queue entry
    }
    assert transition(READY, RUNNING);
    scheduler.countExecution(this);
    if (cancellation.isCancelled()) {
      finish(ProcessResult.failed(terminated()));
      return;
    }
    EventBatch batch = inbox.drain(spareBatch);
    spareBatch = batch;
    StepOutputBuffer out = scheduler.outputFor(Thread.currentThread());
    out.reset(this);
    try {
      process.step(batch.events, out);
    } catch (Throwable failure) {
      afterStep(batch, out, true);
      finish(ProcessResult.failed(failure));
      return;
    }
    STEPS.setOpaque(this, (long) STEPS.getOpaque(this) + 1);
    if (cancellation.isCancelled()) {
      afterStep(batch, out, true);
      finish(ProcessResult.failed(terminated()));
      return;
    }
    StepOutputBuffer.Status status = out.status();
    if (status == StepOutputBuffer.Status.DONE) {
      @Nullable Object result = out.result();
      afterStep(batch, out, true);
      finish(ProcessResult.normal(result));
      return;
    }
    int yields = out.count();
    for (int i = 0; i < yields; i++) {
      dispatch(out.command(i), out.tag(i), out.deadline(i));
    }
    afterStep(batch, out, false);
    switch (status) {
      case CONTINUE -> requeue();
      case IDLE -> park(IDLE);
      case WAIT_FOR_YIELDS -> park(BLOCKED);
      case DEFAULT -> {
        if (yields > 0) {
          park(BLOCKED);
        } else {
          requeue();
        }
      }
      case DONE -> throw new AssertionError("handled above");
    }
  }

  /**
   * Releases the commands whose completions the step consumed and, when {@code discardYields}
   * (written with done, the step threw, or the process was terminated), the yields it wrote, which
   * were never dispatched.
   */
  private static void afterStep(EventBatch batch, StepOutputBuffer out, boolean discardYields) {
    batch.releaseAndClear();
    if (discardYields) {
      for (int i = 0; i < out.count(); i++) {
        EventBatch.release(out.command(i));
      }
    }
    out.clear();
  }

  private void dispatch(Command<?> command, long tag, @Nullable Duration deadline) {
    if (!inbox.register(tag, command)) {
      STATE.getAndBitwiseOr(this, WAKE); // running: the queued TagInUse error is stepped next
      return;
    }
    if (deadline != null) {
      Scheduled timer =
          scheduler
              .timeSource()
              .schedule(
                  deadline,
                  () -> {
                    if (inbox.deadlinePassed(tag, deadline)) {
                      wake();
                    }
                  });
      inbox.armDeadline(tag, timer);
    }
    scheduler.router().route(context, command, tag, this);
  }

  private void requeue() {
    while (true) {
      int current = (int) STATE.getVolatile(this);
      if (STATE.compareAndSet(this, current, READY)) {
        assert transition(current, READY);
        scheduler.submit(this);
        return;
      }
    }
  }

  /** Moves from RUNNING to {@code waiting}, unless an event arrived meanwhile: then runs again. */
  private void park(int waiting) {
    while (true) {
      int current = (int) STATE.getVolatile(this);
      if ((current & WAKE) != 0) {
        if (STATE.compareAndSet(this, current, READY)) {
          assert transition(current, READY);
          scheduler.submit(this);
          return;
        }
      } else if (STATE.compareAndSet(this, current, waiting)) {
        assert transition(current, waiting);
        return;
      }
    }
  }

  /** Ends the process: closes its inbox, cancels its context, closes it, tells the scheduler. */
  private void finish(ProcessResult result) {
    int previous = (int) STATE.getAndSet(this, COMPLETE);
    assert transition(previous, COMPLETE);
    inbox.close();
    cancellation.cancel();
    try {
      process.close();
    } catch (RuntimeException | Error e) {
      log.warn("process {} threw from close()", pid, e);
    }
    scheduler.ended(this, result);
  }

  /**
   * Ends a process that its caller has just made READY but that can never be queued (the scheduler
   * stopped its workers): the caller takes the worker's part, READY to RUNNING to COMPLETE.
   */
  void abandon(Throwable why) {
    if (STATE.compareAndSet(this, READY, RUNNING)) {
      assert transition(READY, RUNNING);
      finish(ProcessResult.failed(why));
    }
  }

  private ProcessTerminatedException terminated() {
    String reason = terminationReason;
    return new ProcessTerminatedException(pid, reason == null ? "terminated" : reason);
  }

  // ---- ForkJoinTask plumbing: the cell has no fork/join result ----

  @Override
  public @Nullable Void getRawResult() {
    return null;
  }

  @Override
  protected void setRawResult(@Nullable Void value) {}

  @Override
  public String toString() {
    return "process " + pid + " (" + typeName() + ", " + processState() + ")";
  }
}
