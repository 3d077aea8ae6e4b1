package dev.baton.tasks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local queue and its workers: ten FIFO lanes, one per priority, drained highest first by
 * virtual-thread workers.
 *
 * <p>Concurrency: lanes are lock-free MPMC queues. {@code ready} holds one permit per queued task,
 * so a worker that acquires a permit is guaranteed a task in some lane (a producer offers before it
 * releases); an idle worker parks in {@code acquire} and a producer's release wakes one. Each
 * worker publishes the task it runs ({@code Worker.current}, volatile) so that {@link #stop} can
 * stop the attempts that outlive the grace period. Workers are added by {@link #addWorkers} at any
 * time; {@code stopping} (set under {@code this}, read without) ends them.
 */
final class LocalQueue {
  private static final Logger log = LoggerFactory.getLogger(LocalQueue.class);

  private final String name;
  private final Consumer<LocalTask> runTask;

  @SuppressWarnings({"unchecked", "rawtypes"}) // an array of a generic type, filled below
  private final ConcurrentLinkedQueue<LocalTask>[] lanes =
      new ConcurrentLinkedQueue[TaskOptions.MAX_PRIORITY + 1];

  private final Semaphore ready = new Semaphore(0);
  private final AtomicInteger delayed = new AtomicInteger();
  private final AtomicInteger busy = new AtomicInteger();
  private final List<Worker> workers = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;

  /** One worker thread and the task it is running, if any. */
  private final class Worker implements Runnable {
    volatile @Nullable LocalTask current;

    @SuppressWarnings("NullAway.Init") // set right after construction, before it is shared
    Thread thread;

    @Override
    public void run() {
      while (!stopping) {
        try {
          ready.acquire();
        } catch (InterruptedException e) {
          return; // stop() interrupts workers that outlive the grace period
        }
        if (stopping) {
          ready.release(); // leave the permit to the task it counts, which close() fails
          return;
        }
        LocalTask task = poll();
        if (task == null) {
          continue; // unreachable: a permit is released only after its task is queued
        }
        current = task;
        busy.incrementAndGet();
        try {
          runTask.accept(task);
        } catch (RuntimeException | Error e) {
          // The runner turns every task failure into a report; reaching here is a bug in it (or a
          // callback of the caller's that threw an Error), and the worker must outlive it.
          log.error("worker of queue {} failed running {}; it goes on", name, task.key, e);
        } finally {
          busy.decrementAndGet();
          current = null;
        }
      }
    }
  }

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
      Worker worker = new Worker();
      worker.thread =
          Thread.ofVirtual().name("baton-worker-" + name + "-" + workers.size()).unstarted(worker);
      workers.add(worker);
      worker.thread.start();
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
   * Stops the workers: wakes each, waits until {@code deadlineNanos} (on the system clock) for the
   * tasks they run, then stops those attempts with SHUTDOWN and waits for them to end.
   *
   * @return the tasks still queued, which never ran
   */
  List<LocalTask> stop(long deadlineNanos) throws InterruptedException {
    synchronized (this) {
      stopping = true;
    }
    ready.release(workers.size());
    for (Worker worker : workers) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0 || !worker.thread.join(Duration.ofNanos(left))) {
        LocalTask overdue = worker.current;
        if (overdue != null) {
          overdue.stop(ErrorCode.SHUTDOWN);
          // Its caller hears SHUTDOWN now, even if the body ignores the interrupt and runs on.
          overdue.result.fail(TaskEngine.shutdownError(overdue.key), overdue.attempt);
        }
        worker.thread.interrupt();
        worker.thread.join(Duration.ofSeconds(1));
      }
    }
    List<LocalTask> left = new ArrayList<>();
    for (ConcurrentLinkedQueue<LocalTask> lane : lanes) {
      LocalTask task;
      while ((task = lane.poll()) != null) {
        left.add(task);
      }
    }
    return left;
  }
}
