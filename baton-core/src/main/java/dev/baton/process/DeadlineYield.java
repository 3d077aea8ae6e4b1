package dev.baton.process;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.Registration;
import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The context of one command yielded with a deadline, and that deadline's timer.
 *
 * <p>It is cancelled when the deadline passes or when the process ends, whichever comes first, so
 * the handler stops work whose result nobody will read. Its {@link #callerScope()} is the process's
 * own context, so what the command creates for the process to keep (a timer, a subscription) lives
 * as long as the process, not as long as the command.
 *
 * <p><b>Concurrency.</b> The cancellation signal is thread-safe. The process's cancellation reaches
 * this one through a callback registered at construction, removed once the yield is settled (its
 * completion arrived in time: there is nothing left to cancel, and a long-lived process must not
 * accumulate one callback per yield) or has expired. {@link #timer} is written once, before the
 * inbox publishes this object under its lock, and read by whichever thread settles the yield.
 *
 * <p>A yield without a deadline gets no such object: its handler sees the process's context, and
 * dispatch allocates nothing for it.
 */
final class DeadlineYield implements ProcessContext {
  private final ProcessContext process;
  private final CancellationSignal cancellation = new CancellationSignal();
  private final Registration processEnded;
  private volatile @Nullable Scheduled timer;

  private DeadlineYield(ProcessContext process) {
    this.process = process;
    this.processEnded = process.onCancel(cancellation::cancel);
  }

  /**
   * Arms the deadline of the yield of {@code tag}, registered in {@code inbox} already, and returns
   * the context its handler is given: when {@code deadline} passes with the yield still pending,
   * the yield is marked timed out, this context is cancelled, and then the timeout is queued and
   * {@code wake} wakes the process.
   *
   * @return the handler's context, or null if the time source refused the timer (it is closed: the
   *     node is shutting down); the yield has then failed with that error, and the command must not
   *     be routed
   */
  static @Nullable DeadlineYield arm(
      ProcessContext process,
      Inbox inbox,
      TimeSource time,
      long tag,
      Duration deadline,
      Runnable wake) {
    DeadlineYield yieldContext = new DeadlineYield(process);
    try {
      yieldContext.timer =
          time.schedule(
              deadline,
              () -> {
                if (inbox.markDeadlinePassed(tag)) {
                  // The handler's cancellation runs before the process can see its timeout (its
                  // callbacks are short, by contract): one that completes on cancellation has
                  // freed the tag, and one that gives back what it had taken (a message, bytes)
                  // has done so, before the process runs on and yields again.
                  yieldContext.expire();
                  if (inbox.queueTimeout(tag, deadline)) {
                    wake.run();
                  }
                }
              });
    } catch (RuntimeException timeSourceClosed) {
      // No deadline can be kept (the node is shutting down): the yield fails with why.
      yieldContext.processEnded.remove();
      if (inbox.complete(tag, null, timeSourceClosed)) {
        wake.run();
      }
      return null;
    }
    inbox.armDeadline(tag, yieldContext);
    return yieldContext;
  }

  @Override
  public Pid pid() {
    return process.pid();
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
    return process.services();
  }

  /** The process itself: cancelled only when it ends. */
  @Override
  public CommandContext callerScope() {
    return process;
  }

  /** The deadline passed while the yield was pending: its work is cancelled. */
  void expire() {
    processEnded.remove();
    cancellation.cancel();
  }

  /** The completion arrived in time: stops the timer; the work has nothing left to cancel. */
  void settle() {
    cancelTimer();
    processEnded.remove();
  }

  /**
   * The process ended with the yield pending: stops the timer, and leaves the process's
   * cancellation to reach the work.
   */
  void cancelTimer() {
    Scheduled armed = timer;
    if (armed != null) {
      armed.cancel();
    }
  }
}
