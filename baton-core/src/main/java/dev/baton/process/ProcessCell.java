package dev.baton.process;

import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.ResultReceiver;
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
 * <p><b>State.</b> {@link RunState} holds the state machine that guarantees no lost wake-up and no
 * double run; this class queues the cell exactly when it says so.
 *
 * <p><b>Events.</b> Completions and messages go to the {@link Inbox}; the running worker swaps the
 * inbox's filling batch for its spare one, so the step reads its events without a lock and neither
 * side allocates a list.
 */
final class ProcessCell extends ForkJoinTask<Void> implements ProcessRecord, ResultReceiver {
  private static final Logger log = LoggerFactory.getLogger(ProcessCell.class);

  private static final VarHandle STEPS;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
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

  private final RunState run = new RunState();

  /** Written only by the running worker (opaque), read by inspection. */
  @SuppressWarnings("unused") // accessed through STEPS
  private long steps;

  // Owned by the worker running the process (handed over through the state CAS).
  private EventBatch spareBatch = new EventBatch();

  /**
   * True from a successful {@link RunState#start()} until the worker hands the process on (park,
   * requeue, finish): after that, another worker may already own it, so a failure of this worker
   * must not end it.
   */
  private boolean owned;

  private long lastTag;

  /** The worker that queued this cell, or -1 when an outside thread did; for steal counts. */
  int queuedBy = -1;

  /**
   * The process's context, a separate object because {@link ForkJoinTask} already defines {@code
   * isCancelled()} with another meaning.
   */
  private final CellContext context;

  ProcessCell(Scheduler scheduler, Pid pid, StepProcess process) {
    this.scheduler = scheduler;
    this.pid = pid;
    this.process = process;
    this.context = new CellContext(pid, cancellation, scheduler);
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
    return run.state();
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
    context.terminateContext(reason);
    wake();
  }

  /** Queues the process if it is waiting, or marks the wake-up if it is running. */
  private void wake() {
    if (run.wake()) {
      scheduler.submit(this);
    }
  }

  // ---- running (the worker that moved the state from READY to RUNNING) ----

  @Override
  protected boolean exec() {
    try {
      runStep();
    } catch (Throwable bug) {
      // A failure here is a bug of the runtime, not of the process; never let it reach the pool
      // (an exception escaping exec() would mark the task done, and it could never run again).
      log.error("process {} crashed the runtime's step loop", pid, bug);
      if (owned) {
        finish(ProcessResult.failed(bug));
      }
    }
    return false; // never "done": the cell is queued again for its next step
  }

  private void runStep() {
    if (!run.start()) {
      return; // not ready (already finished): a stale queue entry
    }
    owned = true;
    scheduler.countExecution(this);
    if (cancellation.isCancelled()) {
      finish(ProcessResult.failed(context.terminated()));
      return;
    }
    EventBatch batch = inbox.drain(spareBatch);
    spareBatch = batch;
    inbox.messagesConsumed(batch.messages); // the step reads every event it is given
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
      finish(ProcessResult.failed(context.terminated()));
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
      case IDLE -> park(ProcessState.IDLE);
      case WAIT_FOR_YIELDS -> park(ProcessState.BLOCKED);
      case DEFAULT -> {
        if (yields > 0) {
          park(ProcessState.BLOCKED);
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
      run.markWoken(); // running: the queued TagInUse error is stepped next
      return;
    }
    if (deadline == null) {
      scheduler.router().route(context, command, tag, this);
      return;
    }
    // The yield's own context: cancelled when the deadline passes, so the handler stops the work.
    DeadlineYield yieldContext =
        DeadlineYield.arm(context, inbox, scheduler.timeSource(), tag, deadline, this::wake);
    if (yieldContext != null) {
      scheduler.router().route(yieldContext, command, tag, this);
    }
  }

  private void requeue() {
    owned = false;
    run.readyAgain();
    scheduler.submit(this);
  }

  /** Moves from RUNNING to {@code waiting}, unless an event arrived meanwhile: then runs again. */
  private void park(ProcessState waiting) {
    owned = false;
    if (run.park(waiting)) {
      scheduler.submit(this);
    }
  }

  /** Ends the process: closes its inbox, cancels its context, closes it, tells the scheduler. */
  private void finish(ProcessResult result) {
    owned = false;
    if (!run.complete()) {
      return; // already ended
    }
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
   * Winds down a process whose {@code init} threw: it never ran, so it is not closed, but its
   * context is cancelled (releasing what init registered for cancellation) and its inbox refuses
   * whatever was sent to it meanwhile.
   */
  void initFailed() {
    inbox.close();
    cancellation.cancel();
  }

  /**
   * Ends a process that its caller has just made READY but that can never be queued (the scheduler
   * stopped its workers): the caller takes the worker's part, READY to RUNNING to COMPLETE.
   */
  void abandon(Throwable why) {
    if (run.start()) {
      owned = true;
      finish(ProcessResult.failed(why));
    }
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
