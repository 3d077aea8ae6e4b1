package dev.baton.sql;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One open transaction: the pooled connection it pins and the statements prepared on it.
 *
 * <p><b>Concurrency.</b> Every use of the connection (a query, an update, a prepare, the end) runs
 * on one of the module's worker threads holding {@link #lock}, a fair lock, so a transaction's
 * operations run one at a time, in the order they reach it, and JDBC never sees two threads on the
 * connection at once. The end happens once: it sets {@link #endedAs} under the lock, and every
 * later operation fails with {@link TransactionClosedException}. Only the worker that ends it
 * returns the connection to the pool.
 */
final class Transaction {
  final long handle;
  final String database;
  final Object owner;

  /** Runs its commands one at a time, in order, each on a worker of its own (see {@link Lane}). */
  final Lane lane;

  /** Used only with {@link #lock} held. */
  private final Connection connection;

  private final ReentrantLock lock = new ReentrantLock(true);

  /** How it ended ("committed", "rolled back", ...), or null while open. */
  @GuardedBy("lock")
  private @Nullable String endedAs;

  /** The statements prepared in it, by their handle, closed at its end. */
  @GuardedBy("lock")
  private final Map<Long, PreparedStatement> statements = new LinkedHashMap<>();

  Transaction(long handle, String database, Object owner, Connection connection, Lane lane) {
    this.handle = handle;
    this.lane = lane;
    this.database = database;
    this.owner = owner;
    this.connection = connection;
  }

  /** Something done on the connection with the lock held. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} on the connection, after the operations before it.
   *
   * @throws TransactionClosedException if the transaction has ended
   */
  <T> T run(Work<T> work) throws SQLException {
    lock.lock();
    try {
      String how = endedAs;
      if (how != null) {
        throw new TransactionClosedException(database, handle, how);
      }
      return work.run(connection);
    } finally {
      lock.unlock();
    }
  }

  /** Records a statement prepared in it; call inside {@link #run}. */
  void addStatement(long statementHandle, PreparedStatement statement) {
    checkLocked();
    lock.lock(); // held already (reentrant): this tells the checker so
    try {
      statements.put(statementHandle, statement);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The statement under {@code statementHandle}; call inside {@link #run}.
   *
   * @throws IllegalStateException if it was closed (its handle is gone first, so this is a bug)
   */
  PreparedStatement statement(long statementHandle) {
    checkLocked();
    lock.lock(); // held already (reentrant): this tells the checker so
    try {
      PreparedStatement statement = statements.get(statementHandle);
      if (statement == null) {
        throw new IllegalStateException("statement " + statementHandle + " is not open");
      }
      return statement;
    } finally {
      lock.unlock();
    }
  }

  /** Closes one of its statements, if it is still open. */
  void closeStatement(long statementHandle) {
    lock.lock();
    try {
      PreparedStatement statement = statements.remove(statementHandle);
      if (statement != null) {
        closeQuietly(statement);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Commits or rolls back, closes its statements and returns the connection to the pool. If a
   * commit fails, the transaction is rolled back and the commit's error thrown.
   *
   * @param how what the transaction's later users are told, for example {@code "committed"}
   * @return the handles of the statements it closed
   * @throws TransactionClosedException if it had already ended
   */
  List<Long> end(boolean commit, String how) throws SQLException {
    lock.lock();
    try {
      String ended = endedAs;
      if (ended != null) {
        throw new TransactionClosedException(database, handle, ended);
      }
      endedAs = how;
      List<Long> closed = List.copyOf(statements.keySet());
      statements.values().forEach(Transaction::closeQuietly);
      statements.clear();
      try {
        if (commit) {
          connection.commit();
        } else {
          connection.rollback();
        }
      } catch (SQLException failed) {
        if (commit) {
          endedAs = "rolled back (its commit failed)";
          try {
            connection.rollback();
          } catch (SQLException alsoFailed) {
            failed.addSuppressed(alsoFailed);
          }
        }
        String state = failed.getSQLState();
        if (!commit && state != null && state.startsWith("08")) {
          // The connection is gone (a cancel had to abort it): the database rolled back already.
          return closed;
        }
        throw failed;
      } finally {
        // Back to the pool (HikariCP evicts a connection that failed with SQLState class 08);
        // HikariCP restores auto-commit, isolation and read-only, and rolls back
        // anything left uncommitted.
        closeQuietly(connection);
      }
      return closed;
    } finally {
      lock.unlock();
    }
  }

  private void checkLocked() {
    if (!lock.isHeldByCurrentThread()) {
      throw new IllegalStateException("transaction " + handle + " used without its lock");
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Closing a statement or returning a connection: nothing useful to do with a failure here.
    }
  }
}
