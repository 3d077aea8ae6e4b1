package dev.baton.sql;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on a shared executor, at most {@link #width} at a time, in the order they were given;
 * a task waiting its turn is a queue entry, not a thread. The module gives each database a lane as
 * wide as its pool (a thread without a connection could only wait for one) and each transaction a
 * lane of width one (its connection takes one statement at a time), so the JDBC threads stay
 * bounded by the connections whatever the number of commands, and the two kinds of lane never wait
 * for each other's threads: a transaction's next command never queues behind commands waiting for a
 * connection that the transaction holds.
 *
 * <p><b>Concurrency.</b> {@link #queue} and {@link #active} are guarded by this object's monitor. A
 * worker that finishes a task takes the next one from the queue itself (on the same thread), so a
 * queued task is never lost when the executor stops accepting work; a task the executor refuses
 * when it is given is {@linkplain Task#reject() rejected} instead.
 */
final class Lane {
  private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

  /** A task with a way to be refused (the executor has stopped). */
  interface Task extends Runnable {
    /** Called instead of {@link #run()} when the executor refuses the task. Must not throw. */
    void reject();
  }

  private final Executor executor;
  private final int width;

  @GuardedBy("this")
  private final ArrayDeque<Task> queue = new ArrayDeque<>();

  /** How many workers run this lane's tasks now; at most {@link #width}. */
  @GuardedBy("this")
  private int active;

  Lane(Executor executor, int width) {
    if (width < 1) {
      throw new IllegalArgumentException("width must be at least 1: " + width);
    }
    this.executor = executor;
    this.width = width;
  }

  /** Runs {@code task} now on a worker if fewer than the width run, else after those queued. */
  void execute(Task task) {
    synchronized (this) {
      if (active >= width) {
        queue.add(task);
        return;
      }
      active++;
    }
    try {
      executor.execute(() -> drain(task));
    } catch (RejectedExecutionException stopped) {
      synchronized (this) {
        active--;
      }
      task.reject();
    }
  }

  /** The number of tasks waiting for their turn, for tests and diagnostics. */
  synchronized int queued() {
    return queue.size();
  }

  /** Runs {@code first}, then queued tasks until there are none, then gives up the worker slot. */
  private void drain(Task first) {
    Task task = first;
    while (task != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        // Tasks complete their own tags; one that throws must not strand the queue behind it.
        LOG.error("an sql task failed unexpectedly", e);
      }
      synchronized (this) {
        task = queue.poll();
        if (task == null) {
          active--;
        }
      }
    }
  }
}
