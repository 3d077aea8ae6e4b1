package dev.baton.eval;

import dev.baton.eval.ScriptLimitExceededException.Limit;
import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Enforces the CPU, wall-time and allocation limits of running scripts.
 *
 * <p><b>Design.</b> One daemon platform thread ticks every {@value #TICK_MILLIS} ms and looks at
 * each registered {@link Session} with a running slice: the thread's CPU time and allocated bytes
 * (from {@link com.sun.management.ThreadMXBean}) since the slice began, plus what earlier slices
 * used, against the limits. A session over a limit is stopped ({@link Session#stop}), which closes
 * its context on another thread, so a tick never blocks. A limit is thus enforced within about a
 * tick plus the time the engine takes to notice the cancellation. The registered set is a
 * concurrent set; sessions register before their first slice and unregister when closed.
 */
final class Watchdog implements AutoCloseable {
  static final long TICK_MILLIS = 5;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  static {
    if (THREADS.isThreadAllocatedMemorySupported() && !THREADS.isThreadAllocatedMemoryEnabled()) {
      THREADS.setThreadAllocatedMemoryEnabled(true);
    }
    if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
      THREADS.setThreadCpuTimeEnabled(true);
    }
  }

  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> Thread.ofPlatform().daemon().name("eval-watchdog").unstarted(runnable));
  private final ScheduledFuture<?> ticks;

  /**
   * Starts the ticks.
   *
   * @throws IllegalStateException if this JVM cannot measure a thread's CPU time or allocation: the
   *     CPU and memory limits would silently never fire, so the module refuses to start
   */
  Watchdog() {
    if (!THREADS.isThreadCpuTimeSupported()
        || !THREADS.isThreadCpuTimeEnabled()
        || !THREADS.isThreadAllocatedMemorySupported()
        || !THREADS.isThreadAllocatedMemoryEnabled()) {
      throw new IllegalStateException(
          "this JVM cannot measure the CPU time and allocation of a thread, which the eval"
              + " module's CPU and memory limits need; run it on a HotSpot-based JDK");
    }
    ticks =
        ticker.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  void watch(Session session) {
    sessions.add(session);
  }

  void forget(Session session) {
    sessions.remove(session);
  }

  /** The CPU time {@code thread} has used, in nanoseconds; 0 where the JVM cannot tell. */
  static long cpuTime(Thread thread) {
    long nanos = THREADS.getThreadCpuTime(thread.threadId());
    return Math.max(nanos, 0);
  }

  /** The bytes {@code thread} has allocated; 0 where the JVM cannot tell. */
  static long allocated(Thread thread) {
    long bytes = THREADS.getThreadAllocatedBytes(thread.threadId());
    return Math.max(bytes, 0);
  }

  private void tick() {
    try {
      long now = System.nanoTime();
      for (Session session : sessions) {
        Session.Slice slice = session.current;
        if (slice == null || session.exceeded() != null) {
          continue;
        }
        long wall = session.wallUsed + (now - slice.nanoStart());
        long alloc = session.allocUsed + (allocated(slice.thread()) - slice.allocStart());
        long cpu = session.cpuUsed + (cpuTime(slice.thread()) - slice.cpuStart());
        Limit over = session.overLimit(cpu, wall, alloc);
        if (over != null) {
          session.stop(over);
        }
      }
    } catch (RuntimeException e) {
      // Never let one bad reading stop the ticks; the next tick looks again.
    }
  }

  @Override
  public void close() {
    ticks.cancel(false);
    ticker.shutdownNow();
  }
}
