package dev.baton.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs one body on many threads released at the same instant, for the concurrency tests. */
final class Concurrently {
  private static final Duration BOUND = Duration.ofSeconds(60);

  /** The work of one thread, told its index. */
  @FunctionalInterface
  interface Body {
    void run(int threadIndex) throws Exception;
  }

  /**
   * Starts {@code threads} daemon threads, releases them together to run {@code body}, and waits at
   * most a minute in all for them; rethrows the first failure, or fails on the timeout (leaving a
   * stuck thread interrupted rather than hanging the test run).
   */
  static void run(int threads, Body body) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads, runnable -> Thread.ofPlatform().daemon().unstarted(runnable));
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int index = 0; index < threads; index++) {
        int threadIndex = index;
        running.add(
            pool.submit(
                () -> {
                  go.await();
                  body.run(threadIndex);
                  return null;
                }));
      }
      go.countDown();
      long deadline = System.nanoTime() + BOUND.toNanos();
      for (Future<?> thread : running) {
        thread.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private Concurrently() {}
}
