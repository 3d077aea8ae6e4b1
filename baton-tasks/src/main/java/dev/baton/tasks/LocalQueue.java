package dev.baton.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One local queue and its workers: ten FIFO lanes, one per priority, drained highest first by
 * virtual-thread workers.
 *
 * <p>Concurrency: lanes are lock-free MPMC queues. {@code ready} holds one permit per queued task,
 * so a worker that acquires a permit is guaranteed a task in some lane (a producer offers before it
 * releases); an idle worker parks in {@code acquire} and a producer's release wakes one. Workers
 * are added by {@link #addWorkers} at any time and stopped by {@link #stop}, which wakes each with
 * a permit and lets its current task finish within the grace period before interrupting it.
 */
final class LocalQueue {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LocalQueue.class);

  private final String name;
  private final Consumer<LocalTask> runTask;

  @SuppressWarnings({"unchecked", "rawtypes"}) // an array of a generic type, filled below
  private final ConcurrentLinkedQueue<LocalTask>[] lanes =
      new ConcurrentLinkedQueue[TaskOptions.MAX_PRIORITY + 1];

  private final Semaphore ready = new Semaphore(0);
  private final AtomicInteger delayed = new AtomicInteger();
  private final AtomicInteger busy = new AtomicInteger();
  private final List<Thread> workers = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;

  LocalQueue(String name, Consumer<LocalTask> runTask) {
    this.name = name;
    this.runTask = runTask;
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new ConcurrentLinkedQueue<>();
    }
  }

  String name() {
    return name;
  }

  /** Queues a task now. */
  void offer(LocalTask task) {
    lanes[task.options.priority()].offer(task);
    ready.release();
  }

  /** Counts a task waiting for its eta (or a retry backoff) until {@link #delayedArrived}. */
  void delayedAdded() {
    delayed.incrementAndGet();
  }

  void delayedArrived() {
    delayed.decrementAndGet();
  }

  /** Starts {@code count} more workers. */
  synchronized void addWorkers(int count) {
    if (stopping) {
      throw new TaskConfigurationException("the app is closed; no workers can start");
    }
    for (int i = 0; i < count; i++) {
      workers.add(
          Thread.ofVirtual().name("baton-worker-" + name + "-" + workers.size()).start(this::work));
    }
  }

  int workerCount() {
    return workers.size();
  }

  int readyCount() {
    return ready.availablePermits();
  }

  int delayedCount() {
    return delayed.get();
  }

  int busyCount() {
    return busy.get();
  }

  private void work() {
    while (!stopping) {
      try {
        ready.acquire();
      } catch (InterruptedException e) {
        return; // stop() interrupts workers that outlive the grace period
      }
      if (stopping) {
        return;
      }
      LocalTask task = poll();
      if (task == null) {
        continue; // unreachable: a permit is released only after its task is queued
      }
      busy.incrementAndGet();
      try {
        runTask.accept(task);
      } catch (RuntimeException e) {
        // The runner turns every task failure into a report; reaching here is a bug in it, and
        // the worker must outlive it.
        log.error("worker of queue {} failed running {}; it goes on", name, task.key, e);
      } finally {
        busy.decrementAndGet();
      }
    }
  }

  private @Nullable LocalTask poll() {
    for (int priority = lanes.length - 1; priority >= 0; priority--) {
      LocalTask task = lanes[priority].poll();
      if (task != null) {
        return task;
      }
    }
    return null;
  }

  /**
   * Stops the workers: wakes each, waits up to {@code graceNanos} for running tasks, then
   * interrupts the rest (their attempts end with SHUTDOWN via {@code onOverdue}).
   *
   * @return the tasks still queued, which never ran
   */
  List<LocalTask> stop(long graceNanos, Runnable onOverdue) throws InterruptedException {
    synchronized (this) {
      stopping = true;
    }
    ready.release(workers.size());
    long deadline = System.nanoTime() + graceNanos;
    boolean overdue = false;
    for (Thread worker : workers) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !worker.join(java.time.Duration.ofNanos(left))) {
        overdue = true;
      }
    }
    if (overdue) {
      onOverdue.run();
      for (Thread worker : workers) {
        worker.interrupt();
        worker.join(java.time.Duration.ofSeconds(1));
      }
    }
    List<LocalTask> left = new ArrayList<>();
    for (ConcurrentLinkedQueue<LocalTask> lane : lanes) {
      left.addAll(lane);
      lane.clear();
    }
    return left;
  }
}
