package dev.baton.time;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.Component;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real {@link TimeSource}: the system clocks, and one daemon timer thread shared by every task
 * scheduled through it.
 *
 * <p>One thread serves every timer (no thread per timer); cancelled tasks are removed from its
 * queue at once, so a node that arms and cancels many deadlines does not accumulate them. {@link
 * #close()} stops the thread and drops the tasks that have not run.
 */
public final class SystemTimeSource implements TimeSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SystemTimeSource.class);

  /** The name of the boot component returned by {@link #component()}. */
  public static final String COMPONENT_NAME = "time";

  private final ScheduledThreadPoolExecutor timer;

  /** Creates a time source with its own timer thread, named {@code threadName}. */
  public SystemTimeSource(String threadName) {
    requireNonNull(threadName, "threadName");
    this.timer =
        new ScheduledThreadPoolExecutor(
            1, runnable -> Thread.ofPlatform().name(threadName).daemon().unstarted(runnable));
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Creates a time source whose timer thread is named {@code baton-timer}. */
  public SystemTimeSource() {
    this("baton-timer");
  }

  /**
   * Returns the boot component, named {@value #COMPONENT_NAME}, that shares a new system time
   * source under {@link TimeSource#KEY} and closes it when the node stops.
   */
  public static Component component() {
    return new SystemTimeComponent();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Instant now() {
    return Instant.now();
  }

  @Override
  public Scheduled schedule(Duration delay, Runnable task) {
    requireNonNull(delay, "delay");
    requireNonNull(task, "task");
    long nanos = Durations.deadlineNanos(0, delay);
    ScheduledFuture<?> future;
    try {
      future = timer.schedule(() -> runLogged(task), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the time source is closed; nothing can be scheduled", e);
    }
    return () -> future.cancel(false);
  }

  /** Stops the timer thread; tasks that have not run are dropped. */
  @Override
  public void close() {
    timer.shutdownNow();
  }

  private static void runLogged(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      log.error("a scheduled task threw; other tasks are unaffected", e);
    }
  }
}
