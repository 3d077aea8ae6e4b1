package dev.baton.process;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Registration;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ProcessContext} of one process: its pid, its cancellation (cancelled when it ends or
 * is terminated, with the reason kept for its {@link ProcessTerminatedException}) and the
 * scheduler's services. A step cell holds one; a coroutine cell is one (its scope extends it).
 */
class CellContext implements ProcessContext {
  private final Pid pid;
  private final CancellationSignal cancellation;
  private final Scheduler scheduler;
  private volatile @Nullable String terminationReason;

  CellContext(Pid pid, CancellationSignal cancellation, Scheduler scheduler) {
    this.pid = pid;
    this.cancellation = cancellation;
    this.scheduler = scheduler;
  }

  @Override
  public final Pid pid() {
    return pid;
  }

  @Override
  public final boolean isCancelled() {
    return cancellation.isCancelled();
  }

  @Override
  public final Registration onCancel(Runnable action) {
    return cancellation.onCancel(action);
  }

  @Override
  public final AppContext services() {
    return scheduler.services();
  }

  /** Records why the process is terminated (the first reason wins) and cancels its context. */
  final void terminateContext(String reason) {
    if (terminationReason == null) {
      terminationReason = reason;
    }
    cancellation.cancel();
  }

  /** The error a terminated process ends with. */
  final ProcessTerminatedException terminated() {
    String reason = terminationReason;
    return new ProcessTerminatedException(pid, reason == null ? "terminated" : reason);
  }
}
