package dev.baton.process;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.boot.AppContext;
import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.time.Scheduled;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinTask;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process inside the scheduler: its state machine, its event queue, its pending yields, and the
 * task a worker runs to step it.
 *
 * <p><b>Scheduling.</b> The cell is itself the {@link ForkJoinTask} queued on the scheduler's pool,
 * so waking a process allocates nothing. {@link #exec()} always returns {@code false}: the task
 * never "completes" in the fork/join sense, which is what allows the same object to be queued again
 * after each step (the pattern Akka's mailboxes use). The state machine, not the pool, guarantees
 * that it is queued at most once at a time.
 *
 * <p><b>State.</b> One int, changed only by CAS: the {@link ProcessState} ordinal in the low bits,
 * plus a {@link #WAKE} bit that records an event arriving while the process is {@code RUNNING}.
 * Whoever moves the state to {@code READY} queues the cell; the worker that moves it from {@code
 * READY} to {@code RUNNING} owns it until it moves it on. When the step ends the worker parks the
 * process ({@code BLOCKED}/{@code IDLE}) with a CAS from the exact value it read, so an event that
 * set {@link #WAKE} in between makes the CAS fail and the process is queued again instead: no event
 * is lost, and a process never runs on two workers at once.
 *
 * <p><b>Events.</b> Completions and messages are appended under {@link #lock} to {@link #incoming};
 * the running worker swaps that list for its spare one, so the step reads its events without a lock
 * and neither side allocates a list. {@link #pending} records every yield not yet completed, so a
 * second completion of a tag, a completion after the deadline, and a completion after the process
 * ended are recognised and dropped (releasing the command).
 */
final class ProcessCell extends ForkJoinTask<Void> implements ResultReceiver {
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

  /** One of the state bits below, possibly with {@link #WAKE}; changed by CAS only. */
  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state = READY;

  /** Written only by the running worker (opaque), read by inspection. */
  @SuppressWarnings("unused") // accessed through STEPS
  private long steps;

  private final Object lock = new Object();

  @GuardedBy("lock")
  private ArrayList<Event> incoming = new ArrayList<>(2);

  /** Commands whose completions are in {@link #incoming}, released after the step reads them. */
  @GuardedBy("lock")
  private ArrayList<Command<?>> completedCommands = new ArrayList<>(2);

  @GuardedBy("lock")
  private int queuedMessages;

  @GuardedBy("lock")
  private boolean closed;

  @GuardedBy("lock")
  private final PendingYields pending = new PendingYields();

  // Owned by the worker running the process (handed over through the state CAS).
  private ArrayList<Event> stepEvents = new ArrayList<>(2);
  private ArrayList<Command<?>> stepCompletedCommands = new ArrayList<>(2);
  private long lastTag;

  /** The worker that queued this cell, or -1 when an outside thread did; for steal counts. */
  int queuedBy = -1;

  private volatile @Nullable String terminationReason;

  ProcessCell(Scheduler scheduler, Pid pid, StepProcess process) {
    this.scheduler = scheduler;
    this.pid = pid;
    this.process = process;
  }

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

  Pid pid() {
    return pid;
  }

  ProcessContext context() {
    return context;
  }

  StepProcess process() {
    return process;
  }

  ProcessState processState() {
    return switch ((int) STATE.getVolatile(this) & STATE_MASK) {
      case READY -> ProcessState.READY;
      case RUNNING -> ProcessState.RUNNING;
      case BLOCKED -> ProcessState.BLOCKED;
      case IDLE -> ProcessState.IDLE;
      default -> ProcessState.COMPLETE;
    };
  }

  long steps() {
    return (long) STEPS.getOpaque(this);
  }

  long nextTag() {
    return ++lastTag;
  }

  // ---- completions and messages (any thread) ---------------------------------------------------

  @Override
  public void completeYield(long tag, @Nullable Object result, @Nullable Throwable error) {
    Command<?> dropped = null;
    Scheduled deadline = null;
    synchronized (lock) {
      int slot = pending.find(tag);
      if (slot < 0) {
        return; // never yielded, or already completed: a second completion is ignored
      }
      Command<?> command = pending.command(slot);
      if (closed || pending.isTimedOut(slot)) {
        dropped = command; // the process ended or stopped waiting: release and forget
      } else {
        deadline = pending.deadline(slot);
        incoming.add(new Event.Completion(tag, result, error));
        completedCommands.add(command);
      }
      pending.removeAt(slot);
    }
    if (deadline != null) {
      deadline.cancel();
    }
    if (dropped != null) {
      release(dropped);
    } else {
      wake();
    }
  }

  /** Called by the time source when the yield under {@code tag} reaches its deadline. */
  private void deadlinePassed(long tag, Duration deadline) {
    synchronized (lock) {
      int slot = pending.find(tag);
      if (closed || slot < 0 || pending.isTimedOut(slot)) {
        return;
      }
      pending.markTimedOut(slot);
      incoming.add(new Event.Completion(tag, null, new YieldTimeoutException(tag, deadline)));
    }
    wake();
  }

  /**
   * Queues {@code message} and wakes the process.
   *
   * @return false if the process has ended
   * @throws MailboxFullException if {@code capacity} messages are already waiting
   */
  boolean offerMessage(Message message, int capacity) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      if (queuedMessages >= capacity) {
        throw new MailboxFullException(pid, capacity);
      }
      incoming.add(message);
      queuedMessages++;
    }
    wake();
    return true;
  }

  /** Ends the process at its next chance: cancels its context, so handlers stop, and wakes it. */
  void terminate(String reason) {
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

  // ---- running (the worker that moved the state from READY to RUNNING) -------------------------

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
    scheduler.countExecution(this);
    if (cancellation.isCancelled()) {
      finish(ProcessResult.failed(terminated()));
      return;
    }
    synchronized (lock) {
      ArrayList<Event> events = incoming;
      incoming = stepEvents;
      stepEvents = events;
      ArrayList<Command<?>> completed = completedCommands;
      completedCommands = stepCompletedCommands;
      stepCompletedCommands = completed;
      queuedMessages = 0;
    }
    StepOutputBuffer out = scheduler.outputFor(Thread.currentThread());
    out.reset(this);
    try {
      process.step(stepEvents, out);
    } catch (Throwable failure) {
      afterStep(out, true);
      finish(ProcessResult.failed(failure));
      return;
    }
    STEPS.setOpaque(this, (long) STEPS.getOpaque(this) + 1);
    if (cancellation.isCancelled()) {
      afterStep(out, true);
      finish(ProcessResult.failed(terminated()));
      return;
    }
    StepOutputBuffer.Status status = out.status();
    if (status == StepOutputBuffer.Status.DONE) {
      @Nullable Object result = out.result();
      afterStep(out, true);
      finish(ProcessResult.normal(result));
      return;
    }
    int yields = out.count();
    for (int i = 0; i < yields; i++) {
      dispatch(out.command(i), out.tag(i), out.deadline(i));
    }
    afterStep(out, false);
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
  private void afterStep(StepOutputBuffer out, boolean discardYields) {
    stepEvents.clear();
    for (Command<?> command : stepCompletedCommands) {
      release(command);
    }
    stepCompletedCommands.clear();
    if (discardYields) {
      for (int i = 0; i < out.count(); i++) {
        release(out.command(i));
      }
    }
    out.clear();
  }

  private void dispatch(Command<?> command, long tag, @Nullable Duration deadline) {
    boolean inUse;
    synchronized (lock) {
      inUse = pending.find(tag) >= 0;
      if (!inUse) {
        pending.add(tag, command);
      }
    }
    if (inUse) {
      synchronized (lock) {
        incoming.add(new Event.Completion(tag, null, new TagInUseException(tag)));
      }
      release(command);
      STATE.getAndBitwiseOr(this, WAKE); // we are running: make sure the error is stepped
      return;
    }
    if (deadline != null) {
      Scheduled timer =
          scheduler.timeSource().schedule(deadline, () -> deadlinePassed(tag, deadline));
      synchronized (lock) {
        int slot = pending.find(tag);
        if (slot >= 0 && !pending.isTimedOut(slot)) {
          pending.setDeadline(slot, timer);
        }
      }
    }
    scheduler.router().route(context, command, tag, this);
  }

  private void requeue() {
    while (true) {
      int current = (int) STATE.getVolatile(this);
      if (STATE.compareAndSet(this, current, READY)) {
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
          scheduler.submit(this);
          return;
        }
      } else if (STATE.compareAndSet(this, current, waiting)) {
        return;
      }
    }
  }

  /** Ends the process: closes its queue, cancels its context, closes it, tells the scheduler. */
  private void finish(ProcessResult result) {
    STATE.setVolatile(this, COMPLETE);
    List<Command<?>> toRelease = new ArrayList<>();
    synchronized (lock) {
      closed = true;
      incoming.clear();
      toRelease.addAll(completedCommands);
      completedCommands.clear();
      pending.cancelDeadlines(); // pending entries stay: their late completions release them
    }
    toRelease.forEach(ProcessCell::release);
    cancellation.cancel();
    try {
      process.close();
    } catch (RuntimeException | Error e) {
      log.warn("process {} threw from close()", pid, e);
    }
    scheduler.ended(this, result);
  }

  /** Ends a process whose init succeeded but which never ran (the scheduler refused it). */
  void abandon(Throwable why) {
    finish(ProcessResult.failed(why));
  }

  private ProcessTerminatedException terminated() {
    String reason = terminationReason;
    return new ProcessTerminatedException(pid, reason == null ? "terminated" : reason);
  }

  private static void release(Command<?> command) {
    try {
      command.release();
    } catch (RuntimeException e) {
      log.warn("releasing command {} threw", command, e);
    }
  }

  // ---- ForkJoinTask plumbing: the cell has no fork/join result
  // -----------------------------------

  @Override
  public @Nullable Void getRawResult() {
    return null;
  }

  @Override
  protected void setRawResult(@Nullable Void value) {}

  @Override
  public String toString() {
    return "process " + pid + " (" + process.getClass().getName() + ", " + processState() + ")";
  }
}
