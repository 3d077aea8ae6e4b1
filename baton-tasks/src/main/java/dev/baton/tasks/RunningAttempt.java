package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a task while it runs: the {@link TaskContext} the task sees, and the handle its
 * worker, its timeout timer and its revocation use to stop it.
 *
 * <p>Concurrency: created and run by the worker thread; {@link #cancel} may come from a timer or a
 * caller's thread. The first cancel wins ({@code stopReason} is set once, under {@code this}) and
 * interrupts the worker thread only while the task body runs, so an interrupt never leaks into the
 * worker's next task. {@link #trace()} may be asked from any thread the body uses; the attempt's
 * span is made once, under {@code this}.
 */
final class RunningAttempt implements TaskContext {

  /**
   * The call an attempt belongs to, as its worker holds it: the call's key and options, where
   * progress the task reports goes, and the trace the call carries. One object per call (the local
   * task itself, or the remote worker's view of a delivery), so an attempt holds one reference for
   * all of it.
   */
  interface Owner {
    TaskKey key();

    TaskOptions options();

    /** Progress the task reported; called only when the call monitors progress. */
    void progress(Progress progress);

    /**
     * The trace the call carries, asked once, when {@link #trace()} is first needed (local mode
     * makes a call's new trace only if someone looks at it).
     */
    TraceParent callerTrace();
  }

  private final int attempt;
  private final Owner owner;

  /** The attempt's own span, made from the caller's trace on first use. */
  @GuardedBy("this")
  private @Nullable TraceParent trace;

  // Guarded by this: the thread running the body (null outside it) and why it was stopped.
  private @Nullable Thread runner;
  private @Nullable ErrorCode stopReason;

  // Written and read by the worker thread only.
  private @Nullable Object value;

  /**
   * @param attempt this attempt, from 1
   * @param owner the call the attempt belongs to
   */
  RunningAttempt(int attempt, Owner owner) {
    this.attempt = attempt;
    this.owner = requireNonNull(owner, "owner");
  }

  @Override
  public TaskKey key() {
    return owner.key();
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public TaskOptions options() {
    return owner.options();
  }

  @Override
  public synchronized TraceParent trace() {
    TraceParent own = trace;
    if (own == null) {
      own = owner.callerTrace().child();
      trace = own;
    }
    return own;
  }

  @Override
  public void progress(int percent, String message) {
    Progress progress = new Progress(percent, message);
    if (owner.options().monitorProgress()) {
      owner.progress(progress);
    }
  }

  @Override
  public synchronized boolean isCancelled() {
    return stopReason != null;
  }

  /** The body's return value, once it returned. */
  @Nullable Object value() {
    return value;
  }

  void succeeded(@Nullable Object returned) {
    this.value = returned;
  }

  /** Why the attempt was stopped, or {@code null} if it was not. */
  synchronized @Nullable ErrorCode stopReason() {
    return stopReason;
  }

  /**
   * Stops the attempt for {@code reason} (TIMEOUT, REVOKED or SHUTDOWN): marks it and interrupts
   * the body if it is running. Only the first call has an effect.
   */
  synchronized void cancel(ErrorCode reason) {
    if (stopReason != null) {
      return;
    }
    stopReason = reason;
    if (runner != null) {
      runner.interrupt();
    }
  }

  /** Marks the body as running on the current thread; false if already cancelled. */
  synchronized boolean enter() {
    if (stopReason != null) {
      return false;
    }
    runner = Thread.currentThread();
    return true;
  }

  /** Marks the body as finished and clears an interrupt meant for it. */
  void exit() {
    synchronized (this) {
      runner = null;
    }
    // A cancel that raced with the body's end may have interrupted this thread; it was meant for
    // the body, not for the worker loop.
    boolean ignored = Thread.interrupted();
  }
}
