package dev.baton.sql;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * One command's JDBC work while it runs, and its cancellation: registered as the command's {@code
 * onCancel} action, it marks the work cancelled and has the statement running now, if any,
 * cancelled with {@link Statement#cancel()}.
 *
 * <p><b>Concurrency.</b> {@link #statement} and {@link #cancelled} are guarded by this object's
 * monitor. {@link Statement#cancel()} may block (PostgreSQL's opens a connection to the server), so
 * it runs on a background thread, holding the monitor: the worker's {@link #watching} waits for it
 * before it lets go of the statement, so a late cancel can never reach the next command that uses
 * the same pooled connection. The cancel waits until the statement has been with the driver for
 * {@value #FIRST_CANCEL_NANOS} ns, then is repeated until the statement returns (see {@link
 * #cancelStatement}); if it still runs {@value #ABORT_AFTER_NANOS} ns after it was handed over, its
 * connection is aborted, and the worker evicts that connection from the pool.
 */
final class Running implements Runnable {
  private static final long RETRY_MILLIS = 50;

  /**
   * How long a statement has been with the driver before it is cancelled. A cancel that reaches the
   * server before the statement does is lost (PostgreSQL's backend ignores it when idle), and
   * PostgreSQL's driver sends at most one cancel per execution, so the first cancel waits until the
   * statement has surely arrived.
   */
  private static final long FIRST_CANCEL_NANOS = 25_000_000;

  /**
   * How long cancels are tried before the statement's connection is aborted ({@link
   * java.sql.Connection#abort}). PostgreSQL's driver sends one cancel per execution, and a cancel
   * that reaches the server before the statement (a loaded machine, a slow network) is ignored; the
   * abort is the fallback that always stops the statement, at the cost of that connection.
   */
  private static final long ABORT_AFTER_NANOS = 2_000_000_000L;

  private final Consumer<Runnable> background;

  @GuardedBy("this")
  private @Nullable Statement statement;

  @GuardedBy("this")
  private boolean cancelled;

  /** The worker thread while it waits for a pooled connection, to be interrupted on cancel. */
  @GuardedBy("this")
  private @Nullable Thread acquiring;

  /** When {@link #statement} was handed over, from {@link System#nanoTime()}. */
  @GuardedBy("this")
  private long watchedAtNanos;

  /** Whether the statement's connection was aborted: it must not go back to the pool. */
  @GuardedBy("this")
  private boolean aborted;

  Running(Consumer<Runnable> background) {
    this.background = background;
  }

  /** A JDBC call that returns a value. */
  @FunctionalInterface
  interface Call<T> {
    T call() throws SQLException;
  }

  /**
   * Runs {@code call} (which executes {@code running}) so that a cancellation cancels it.
   *
   * @throws CancellationException if the work was cancelled before it started
   */
  <T> T watching(Statement running, Call<T> call) throws SQLException {
    synchronized (this) {
      throwIfCancelled();
      statement = running;
      watchedAtNanos = System.nanoTime();
    }
    try {
      return call.call();
    } finally {
      synchronized (this) {
        statement = null;
        notifyAll(); // a cancelling thread waits for this
      }
    }
  }

  /**
   * Takes a connection from {@code pool}; a cancellation while it waits interrupts the wait
   * (HikariCP then gives up), so a cancelled command does not hold its place in the queue for the
   * pool's whole timeout. The interrupt can land only while this thread is waiting here (both sides
   * hold the monitor), and a stray one is cleared before the connection is used.
   *
   * @throws CancellationException if the work was cancelled before or while waiting
   */
  Connection acquire(DataSource pool) throws SQLException {
    synchronized (this) {
      throwIfCancelled();
      acquiring = Thread.currentThread();
    }
    try {
      return pool.getConnection();
    } catch (SQLException e) {
      synchronized (this) {
        throwIfCancelled();
      }
      throw e;
    } finally {
      synchronized (this) {
        acquiring = null;
        var _ = Thread.interrupted(); // ours, if any: the work goes on or stops by the flag
      }
    }
  }

  /** Whether a cancel had to abort the statement's connection (so it must be evicted). */
  synchronized boolean abortedConnection() {
    return aborted;
  }

  /** Throws {@link CancellationException} if the work was cancelled. */
  synchronized void throwIfCancelled() {
    if (cancelled) {
      throw new CancellationException("the sql command was cancelled");
    }
  }

  /** Cancels the work; short and non-blocking (the caller may be the thread ending a process). */
  @Override
  public void run() {
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      Thread waiting = acquiring;
      if (waiting != null) {
        waiting.interrupt();
        return;
      }
      if (statement == null) {
        return;
      }
    }
    background.accept(this::cancelStatement);
  }

  /**
   * Cancels the statement until the worker lets go of it. Drivers ignore a cancel that arrives
   * before the statement reaches the database (PostgreSQL's does nothing while the statement is
   * idle), and the worker may be between {@link #watching} and the driver's send; so the first
   * cancel waits until the statement has been watched for {@link #FIRST_CANCEL_NANOS}, and the
   * cancel is repeated every {@value #RETRY_MILLIS} ms while the statement is still watched (for
   * drivers that take a second cancel; PostgreSQL's takes one per execution). The monitor is
   * released only while waiting, and {@link #statement} is re-read after each wait, so no cancel is
   * sent once the worker has let go (the connection may then belong to another command).
   */
  private synchronized void cancelStatement() {
    Statement running = statement;
    while (running != null) {
      long now = System.nanoTime();
      long early = watchedAtNanos + FIRST_CANCEL_NANOS - now;
      long waitMillis = RETRY_MILLIS;
      if (early > 0) {
        waitMillis = Math.max(1, early / 1_000_000);
      } else if (now - watchedAtNanos >= ABORT_AFTER_NANOS && !aborted) {
        aborted = true;
        try {
          // On this thread, holding the monitor: done before the worker lets go of the statement.
          running.getConnection().abort(Runnable::run);
        } catch (SQLException | RuntimeException ignored) {
          // The connection is gone already: the statement fails on its own.
        }
      } else {
        try {
          running.cancel();
        } catch (SQLException ignored) {
          // The statement finished or its connection is gone: nothing left to stop.
        }
      }
      try {
        wait(waitMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      running = statement;
    }
  }
}
