package dev.baton.sql;

import com.zaxxer.hikari.HikariDataSource;
import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.spi.Callers;
import dev.baton.modules.spi.OwnedResources;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sql module (ids 100-111): {@link Sql}'s commands on the node's {@link Databases}.
 *
 * <p><b>Design.</b> Handlers never block the dispatching thread: they check the command (the
 * database exists, the handle is the caller's) and hand the JDBC work to a {@link Lane} (the
 * database's, as wide as its pool, or the transaction's, one at a time) on the module's executor
 * (platform threads; see {@link #executor} for why not virtual and why bounded), which takes a
 * pooled connection (waiting at most the database's connection timeout), runs the statement, reads
 * the whole result and completes the tag. A transaction pins its connection from {@link Sql.Begin}
 * to its end, and its operations run one at a time under its lock ({@link Transaction}). Statements
 * outside transactions hold no connection (see {@link Sql.Prepare}).
 *
 * <p><b>Ownership.</b> Transactions and statements live in {@link OwnedResources} tables: only the
 * process that created one can use it (another gets {@link HandleNotFoundException}); when it ends,
 * its transactions are rolled back (on a worker, not on the thread ending it), its statements
 * closed and its connections returned to the pool. A handle whose transaction ended fails with
 * {@link TransactionClosedException} (for the most recent {@value ClosedHandles#CAPACITY} such
 * handles).
 *
 * <p><b>Cancellation.</b> When a command's context is cancelled (its process ended, or its yield's
 * deadline passed), the statement it is running is cancelled with {@link
 * java.sql.Statement#cancel()} (on a worker; if it still runs 2 s later, its connection is aborted
 * and evicted from the pool), a wait for a pooled connection is interrupted, work still queued in
 * its lane completes at once, and the command completes with a {@link CancellationException}, which
 * the runtime drops, freeing the tag. A {@link Sql.Begin} or {@link Sql.Prepare} cancelled after it
 * made its transaction or statement rolls it back or closes it. {@link Sql.TxCommit} and {@link
 * Sql.TxRollback} always run to the end. A cancelled statement inside a transaction leaves the
 * transaction as the database does (PostgreSQL: aborted, so only a rollback works).
 *
 * <p><b>Stop.</b> Running statements are cancelled, open transactions rolled back and their
 * connections returned, then the executor is shut down; later commands fail with {@link
 * DatabaseClosedException}. Boot it with {@code Dispatcher.component(new SqlModule())} beside
 * {@link Databases#component}. Thread-safe.
 */
public final class SqlModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "sql";

  private static final Logger LOG = LoggerFactory.getLogger(SqlModule.class);

  private final OwnedResources<Transaction> transactions = new OwnedResources<>("sql transaction");
  private final OwnedResources<PreparedSql> statements = new OwnedResources<>("sql statement");
  private final ClosedHandles closedTransactions = new ClosedHandles();
  private final ClosedHandles closedStatements = new ClosedHandles();

  /**
   * Runs all JDBC work, on platform threads, cached (an idle one ends after 60 s). Not virtual
   * threads: an embedded database (H2) computes a query on the calling thread, so a few long
   * queries on virtual threads would occupy every carrier thread and starve the node's coroutines,
   * and the very cancel that would stop them. Bounded by the {@link Lane}s that feed it: each
   * database's pool work runs at most its pool size at a time and each transaction's one at a time,
   * so the threads doing JDBC number at most twice the connections of all pools (plus one per
   * statement being cancelled), however many commands arrive; the rest wait in the lanes' queues,
   * holding no thread. The two kinds of lane cannot deadlock: a transaction's commands never wait
   * behind commands waiting for a connection.
   */
  private final ExecutorService executor =
      Executors.newCachedThreadPool(Thread.ofPlatform().name("baton-sql-", 0).daemon().factory());

  /** Each database's lane for work that takes a pooled connection (see {@link Lane}). */
  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

  /** The commands running now, cancelled by {@link #stop()}. */
  private final Set<Running> running = ConcurrentHashMap.newKeySet();

  /** Set by {@link #registerAll}; read by handlers afterwards. */
  private volatile @Nullable Databases databases;

  /** Set by {@link #stop()}; a Begin or Prepare finishing after it discards what it made. */
  private volatile boolean stopped;

  /**
   * Runs in a Begin once it holds its connection, set up, before the transaction is registered: a
   * seam for tests that race the caller's end with that moment. Does nothing otherwise.
   */
  private final Runnable afterBegin;

  /** Creates the module; it serves the databases of the node's {@link Databases} component. */
  public SqlModule() {
    this(() -> {});
  }

  /** For tests: {@code afterBegin} runs in each Begin between its connection and its handle. */
  SqlModule(Runnable afterBegin) {
    this.afterBegin = afterBegin;
  }

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(
        Sql.QUERY,
        Sql.EXECUTE,
        Sql.PREPARE,
        Sql.BEGIN,
        Sql.STMT_QUERY,
        Sql.STMT_EXECUTE,
        Sql.STMT_CLOSE,
        Sql.TX_QUERY,
        Sql.TX_EXECUTE,
        Sql.TX_PREPARE,
        Sql.TX_COMMIT,
        Sql.TX_ROLLBACK);
  }

  /** The module resolves database names in the {@link Databases} component's service. */
  @Override
  public List<String> dependsOn() {
    return List.of(Databases.COMPONENT_NAME);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    databases = services.require(Databases.KEY);
    registrar.register(Sql.QUERY, Handler.forType(Sql.Query.class, this::query));
    registrar.register(Sql.EXECUTE, Handler.forType(Sql.Execute.class, this::execute));
    registrar.register(Sql.PREPARE, Handler.forType(Sql.Prepare.class, this::prepare));
    registrar.register(Sql.BEGIN, Handler.forType(Sql.Begin.class, this::begin));
    registrar.register(Sql.STMT_QUERY, Handler.forType(Sql.StmtQuery.class, this::stmtQuery));
    registrar.register(Sql.STMT_EXECUTE, Handler.forType(Sql.StmtExecute.class, this::stmtExecute));
    registrar.register(Sql.STMT_CLOSE, Handler.forType(Sql.StmtClose.class, this::stmtClose));
    registrar.register(Sql.TX_QUERY, Handler.forType(Sql.TxQuery.class, this::txQuery));
    registrar.register(Sql.TX_EXECUTE, Handler.forType(Sql.TxExecute.class, this::txExecute));
    registrar.register(Sql.TX_PREPARE, Handler.forType(Sql.TxPrepare.class, this::txPrepare));
    registrar.register(
        Sql.TX_COMMIT,
        Handler.forType(
            Sql.TxCommit.class,
            (context, commit, tag, receiver) ->
                end(context, commit.transaction(), true, tag, receiver)));
    registrar.register(
        Sql.TX_ROLLBACK,
        Handler.forType(
            Sql.TxRollback.class,
            (context, rollback, tag, receiver) ->
                end(context, rollback.transaction(), false, tag, receiver)));
  }

  /**
   * Cancels running statements, rolls back every open transaction (returning its connection), and
   * shuts the executor down, waiting up to 10 s for work still running.
   */
  @Override
  public void stop() throws InterruptedException {
    stopped = true;
    running.forEach(Running::run);
    for (Transaction transaction : transactions.clear()) {
      endQuietly(transaction, "rolled back because the node stopped");
    }
    var _ = statements.clear();
    executor.shutdown();
    if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
      LOG.warn("sql work still running 10 s after stop; interrupting it");
      var _ = executor.shutdownNow();
    }
  }

  /** The number of open transactions, for tests and diagnostics. */
  public int openTransactions() {
    return transactions.size();
  }

  /** The number of open statements (in and outside transactions), for tests and diagnostics. */
  public int openStatements() {
    return statements.size();
  }

  /** How many commands on {@code database}'s pool wait for a free worker, for tests. */
  int queued(String database) {
    Lane lane = lanes.get(database);
    return lane == null ? 0 : lane.queued();
  }

  // ---- handlers ----

  private void query(CommandContext context, Sql.Query query, long tag, ResultReceiver receiver) {
    runOnPool(
        context,
        tag,
        receiver,
        query.database(),
        query.sql(),
        Sql.GeneratedKeys.NONE,
        query.params(),
        readRows(query.maxRows()));
  }

  private void execute(
      CommandContext context, Sql.Execute execute, long tag, ResultReceiver receiver) {
    runOnPool(
        context,
        tag,
        receiver,
        execute.database(),
        execute.sql(),
        execute.keys(),
        execute.params(),
        runUpdate(execute.keys()));
  }

  private void prepare(
      CommandContext context, Sql.Prepare prepare, long tag, ResultReceiver receiver) {
    var _ = Callers.pidOf(context, "sql.Prepare");
    HikariDataSource pool = databases().pool(prepare.database());
    submit(
        context,
        tag,
        receiver,
        lane(prepare.database()),
        prepare.database(),
        prepare.sql(),
        false,
        work -> {
          int parameterCount =
              onPool(
                  pool,
                  work,
                  connection -> {
                    try (PreparedStatement statement =
                        Jdbc.prepare(connection, prepare.sql(), prepare.keys())) {
                      // PostgreSQL checks the SQL only here (a round trip), H2 when preparing.
                      return work.watching(
                          statement, () -> statement.getParameterMetaData().getParameterCount());
                    }
                  });
          PreparedSql made =
              new PreparedSql.OnPool(
                  prepare.database(), prepare.sql(), prepare.keys(), parameterCount);
          long handle = statements.add(context, made, ignored -> {});
          if (context.isCancelled() || stopped) {
            var _ = statements.forget(handle);
            throw new CancellationException("sql.Prepare was cancelled");
          }
          return new Sql.StatementId(handle);
        });
  }

  private void begin(CommandContext context, Sql.Begin begin, long tag, ResultReceiver receiver) {
    Object owner = Callers.pidOf(context, "sql.Begin");
    HikariDataSource pool = databases().pool(begin.database());
    submit(
        context,
        tag,
        receiver,
        lane(begin.database()),
        begin.database(),
        "begin",
        false,
        work -> {
          Connection connection = work.acquire(pool);
          try {
            work.throwIfCancelled();
            if (begin.isolation() != Sql.Isolation.DEFAULT) {
              connection.setTransactionIsolation(begin.isolation().jdbcLevel());
            }
            if (begin.readOnly()) {
              connection.setReadOnly(true);
            }
            connection.setAutoCommit(false);
          } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
          }
          long handle = transactions.nextHandle();
          Transaction transaction =
              new Transaction(handle, begin.database(), owner, connection, new Lane(executor, 1));
          afterBegin.run();
          // If the caller is already gone, add rolls back at once (abandon).
          transactions.add(handle, context, transaction, this::abandon);
          if (context.isCancelled() || stopped) {
            Transaction discarded = transactions.forget(handle);
            if (discarded != null) {
              endQuietly(discarded, "rolled back because its Begin was cancelled");
            }
            throw new CancellationException("sql.Begin was cancelled");
          }
          return new Sql.TransactionId(handle);
        });
  }

  private void stmtQuery(
      CommandContext context, Sql.StmtQuery query, long tag, ResultReceiver receiver) {
    PreparedSql prepared = statement(context, query.statement());
    runStatement(
        context,
        tag,
        receiver,
        query.statement(),
        prepared,
        query.params(),
        readRows(query.maxRows()));
  }

  private void stmtExecute(
      CommandContext context, Sql.StmtExecute execute, long tag, ResultReceiver receiver) {
    PreparedSql prepared = statement(context, execute.statement());
    runStatement(
        context,
        tag,
        receiver,
        execute.statement(),
        prepared,
        execute.params(),
        runUpdate(prepared.keys()));
  }

  private void stmtClose(
      CommandContext context, Sql.StmtClose close, long tag, ResultReceiver receiver) {
    long handle = close.statement().value();
    PreparedSql prepared;
    try {
      prepared = statements.remove(context, handle);
    } catch (HandleNotFoundException notOwned) {
      throw closedStatementOr(context, handle, notOwned);
    }
    if (prepared instanceof PreparedSql.InTransaction inTx) {
      Transaction transaction = inTx.transaction();
      submit(
          context,
          tag,
          receiver,
          transaction.lane,
          transaction.database,
          "close statement",
          true,
          work -> {
            transaction.closeStatement(handle);
            return true;
          });
    } else {
      receiver.completeYield(tag, true, null);
    }
  }

  private void txQuery(
      CommandContext context, Sql.TxQuery query, long tag, ResultReceiver receiver) {
    Transaction transaction = transaction(context, query.transaction());
    runInTransaction(
        context,
        tag,
        receiver,
        transaction,
        query.sql(),
        Sql.GeneratedKeys.NONE,
        query.params(),
        readRows(query.maxRows()));
  }

  private void txExecute(
      CommandContext context, Sql.TxExecute execute, long tag, ResultReceiver receiver) {
    Transaction transaction = transaction(context, execute.transaction());
    runInTransaction(
        context,
        tag,
        receiver,
        transaction,
        execute.sql(),
        execute.keys(),
        execute.params(),
        runUpdate(execute.keys()));
  }

  private void txPrepare(
      CommandContext context, Sql.TxPrepare prepare, long tag, ResultReceiver receiver) {
    Transaction transaction = transaction(context, prepare.transaction());
    submit(
        context,
        tag,
        receiver,
        transaction.lane,
        transaction.database,
        prepare.sql(),
        false,
        work ->
            transaction.run(
                connection -> {
                  PreparedStatement statement =
                      Jdbc.prepare(connection, prepare.sql(), prepare.keys());
                  int parameterCount;
                  try {
                    parameterCount =
                        work.watching(
                            statement, () -> statement.getParameterMetaData().getParameterCount());
                  } catch (SQLException | RuntimeException e) {
                    closeQuietly(statement);
                    throw e;
                  }
                  long handle = statements.nextHandle();
                  transaction.addStatement(handle, statement);
                  // The transaction's end closes it; the owner's end ends the transaction.
                  statements.add(
                      handle,
                      context,
                      new PreparedSql.InTransaction(
                          transaction, handle, prepare.sql(), prepare.keys(), parameterCount),
                      ignored -> {});
                  if (context.isCancelled()) {
                    var _ = statements.forget(handle);
                    // Under the transaction's lock already (reentrant).
                    transaction.closeStatement(handle);
                    throw new CancellationException("sql.TxPrepare was cancelled");
                  }
                  return new Sql.StatementId(handle);
                }));
  }

  /** TxCommit and TxRollback: the handle is finished at once, the work runs even if cancelled. */
  private void end(
      CommandContext context,
      Sql.TransactionId id,
      boolean commit,
      long tag,
      ResultReceiver receiver) {
    Transaction transaction = transaction(context, id);
    String how = commit ? "committed" : "rolled back";
    try {
      var _ = transactions.remove(context, transaction.handle);
    } catch (HandleNotFoundException raced) {
      // Its owner ended meanwhile (which rolls it back), or another TxCommit/TxRollback took it.
      throw closedTransactionOr(context, transaction.handle, raced);
    }
    // Only the command that removed the handle says how it ended.
    closedTransactions.record(
        transaction.handle,
        new ClosedHandles.Closed(transaction.owner, transaction.database, transaction.handle, how));
    submit(
        context,
        tag,
        receiver,
        transaction.lane,
        transaction.database,
        commit ? "commit" : "rollback",
        true,
        work -> {
          try {
            forgetStatements(transaction, transaction.end(commit, how), how);
          } catch (SQLException failed) {
            String after = commit ? "rolled back (its commit failed)" : "rolled back";
            closedTransactions.record(
                transaction.handle,
                new ClosedHandles.Closed(
                    transaction.owner, transaction.database, transaction.handle, after));
            throw failed;
          }
          return true;
        });
  }

  // ---- the machinery ----

  /**
   * What a command does with its statement once it is prepared and bound: read rows or run an
   * update. Runs on a worker, inside {@link Running#watching}, so a cancel reaches the statement.
   */
  @FunctionalInterface
  private interface StatementAction<R> {
    R run(PreparedStatement statement, String database, String sql) throws SQLException;
  }

  /** Query and StmtQuery and TxQuery: reads at most {@code maxRows} rows. */
  private static StatementAction<Rows> readRows(int maxRows) {
    return (statement, database, sql) -> Jdbc.query(statement, maxRows, database, sql);
  }

  /** Execute and StmtExecute and TxExecute: runs the update, returning {@code keys}. */
  private static StatementAction<Executed> runUpdate(Sql.GeneratedKeys keys) {
    return (statement, database, sql) -> Jdbc.execute(statement, keys, database, sql);
  }

  /**
   * Query and Execute, and a prepared statement outside a transaction: on a pooled connection, in
   * {@code database}'s lane, prepares {@code sql}, binds {@code params} and runs {@code action}.
   */
  private <R> void runOnPool(
      CommandContext context,
      long tag,
      ResultReceiver receiver,
      String database,
      String sql,
      Sql.GeneratedKeys keys,
      List<@Nullable Object> params,
      StatementAction<R> action) {
    HikariDataSource pool = databases().pool(database);
    submit(
        context,
        tag,
        receiver,
        lane(database),
        database,
        sql,
        false,
        work ->
            onPool(
                pool,
                work,
                connection -> {
                  try (PreparedStatement statement = Jdbc.prepare(connection, sql, keys)) {
                    Jdbc.bind(statement, params);
                    return work.watching(statement, () -> action.run(statement, database, sql));
                  }
                }));
  }

  /**
   * TxQuery and TxExecute: in {@code transaction}'s lane and under its lock, prepares {@code sql}
   * on its connection, binds {@code params} and runs {@code action}.
   */
  private <R> void runInTransaction(
      CommandContext context,
      long tag,
      ResultReceiver receiver,
      Transaction transaction,
      String sql,
      Sql.GeneratedKeys keys,
      List<@Nullable Object> params,
      StatementAction<R> action) {
    submit(
        context,
        tag,
        receiver,
        transaction.lane,
        transaction.database,
        sql,
        false,
        work ->
            transaction.run(
                connection -> {
                  try (PreparedStatement statement = Jdbc.prepare(connection, sql, keys)) {
                    Jdbc.bind(statement, params);
                    return work.watching(
                        statement, () -> action.run(statement, transaction.database, sql));
                  }
                }));
  }

  /**
   * StmtQuery and StmtExecute: checks the parameter count, then runs {@code action} on the
   * statement, prepared again on a pooled connection or, in a transaction, the one kept open there.
   */
  private <R> void runStatement(
      CommandContext context,
      long tag,
      ResultReceiver receiver,
      Sql.StatementId id,
      PreparedSql prepared,
      List<@Nullable Object> params,
      StatementAction<R> action) {
    checkParameters(id, prepared, params.size());
    switch (prepared) {
      case PreparedSql.OnPool onPool ->
          runOnPool(
              context,
              tag,
              receiver,
              onPool.database(),
              onPool.sql(),
              onPool.keys(),
              params,
              action);
      case PreparedSql.InTransaction inTx -> {
        Transaction transaction = inTx.transaction();
        submit(
            context,
            tag,
            receiver,
            transaction.lane,
            transaction.database,
            inTx.sql(),
            false,
            work ->
                transaction.run(
                    connection -> {
                      PreparedStatement statement = transaction.statement(inTx.handle());
                      statement.clearParameters();
                      Jdbc.bind(statement, params);
                      return work.watching(
                          statement, () -> action.run(statement, transaction.database, inTx.sql()));
                    }));
      }
    }
  }

  /** Work run on a worker thread; {@code work} is its cancellation. */
  @FunctionalInterface
  private interface Job {
    Object run(Running work) throws SQLException;
  }

  /** Work on a pooled connection. */
  @FunctionalInterface
  private interface PoolWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code job} on a worker and completes {@code tag} with its result or error; skips it if
   * the caller is already gone (unless {@code evenIfCancelled}), and cancels its statement when the
   * caller goes away while it runs.
   */
  private void submit(
      CommandContext context,
      long tag,
      ResultReceiver receiver,
      Lane lane,
      String database,
      String statement,
      boolean evenIfCancelled,
      Job job) {
    if (!evenIfCancelled && context.isCancelled()) {
      receiver.completeYield(tag, null, cancelled());
      return;
    }
    Running work = new Running(this::background);
    // Whoever sets it completes the tag: the worker when it starts the job, a cancellation or a
    // refusal while the job still waits in its lane (so a cancelled command never waits its turn).
    AtomicBoolean claimed = new AtomicBoolean();
    Registration stopOnCancel =
        evenIfCancelled
            ? () -> false
            : context.onCancel(
                () -> {
                  work.run();
                  if (claimed.compareAndSet(false, true)) {
                    receiver.completeYield(tag, null, cancelled());
                  }
                });
    lane.execute(
        new Lane.Task() {
          @Override
          public void run() {
            if (!claimed.compareAndSet(false, true)) {
              return; // cancelled while queued, and completed then
            }
            running.add(work);
            @Nullable Object result = null;
            @Nullable Throwable error = null;
            try {
              if (stopped && !evenIfCancelled) {
                throw new DatabaseClosedException(database);
              }
              result = job.run(work);
            } catch (SQLException e) {
              error = translate(database, statement, e);
            } catch (RuntimeException e) {
              error = e;
            } finally {
              var _ = stopOnCancel.remove();
              running.remove(work);
            }
            if (context.isCancelled()) {
              receiver.completeYield(tag, null, cancelled());
            } else if (stopped && error != null && !(error instanceof DatabaseException)) {
              receiver.completeYield(tag, null, new DatabaseClosedException(database));
            } else {
              receiver.completeYield(tag, result, error);
            }
          }

          @Override
          public void reject() {
            if (claimed.compareAndSet(false, true)) {
              var _ = stopOnCancel.remove();
              receiver.completeYield(tag, null, new DatabaseClosedException(database));
            }
          }
        });
  }

  /** The lane of {@code database}'s pool-connection work: as wide as its pool. */
  private Lane lane(String database) {
    return lanes.computeIfAbsent(
        database, name -> new Lane(executor, databases().pool(name).getMaximumPoolSize()));
  }

  /** Takes a pooled connection, runs {@code work} on it, and returns it to the pool. */
  private static <T> T onPool(HikariDataSource pool, Running work, PoolWork<T> poolWork)
      throws SQLException {
    try (Connection connection = work.acquire(pool)) {
      try {
        work.throwIfCancelled();
        return poolWork.run(connection);
      } finally {
        if (work.abortedConnection()) {
          pool.evictConnection(connection); // closed, never handed out again
        }
      }
    }
  }

  private Exception translate(String database, String statement, SQLException e) {
    Databases known = databases();
    if (stopped || (known.names().contains(database) && known.pool(database).isClosed())) {
      return new DatabaseClosedException(database);
    }
    return new SqlException(database, statement, e);
  }

  /** Rolls back a transaction whose owner ended; called on the thread ending it, so on a worker. */
  private void abandon(Transaction transaction) {
    Runnable rollBack = () -> endQuietly(transaction, "rolled back because its process ended");
    // In the transaction's lane, after the commands already there (each cancelled, so quick).
    transaction.lane.execute(
        new Lane.Task() {
          @Override
          public void run() {
            rollBack.run();
          }

          @Override
          public void reject() {
            background(rollBack);
          }
        });
  }

  private void endQuietly(Transaction transaction, String how) {
    try {
      forgetStatements(transaction, transaction.end(false, how), how);
    } catch (TransactionClosedException alreadyEnded) {
      // Committed or rolled back meanwhile.
    } catch (SQLException | RuntimeException e) {
      LOG.warn(
          "rolling back transaction {} on database '{}' failed; its connection was returned to"
              + " the pool",
          transaction.handle,
          transaction.database,
          e);
    }
  }

  private void forgetStatements(Transaction transaction, List<Long> handles, String how) {
    for (long handle : handles) {
      var _ = statements.forget(handle);
      closedStatements.record(
          handle,
          new ClosedHandles.Closed(
              transaction.owner, transaction.database, transaction.handle, how));
    }
  }

  private Transaction transaction(CommandContext context, Sql.TransactionId id) {
    try {
      return transactions.get(context, id.value());
    } catch (HandleNotFoundException notOwned) {
      throw closedTransactionOr(context, id.value(), notOwned);
    }
  }

  private RuntimeException closedTransactionOr(
      CommandContext context, long handle, HandleNotFoundException otherwise) {
    ClosedHandles.Closed closed = closedTransactions.find(handle, context.caller());
    return closed == null
        ? otherwise
        : new TransactionClosedException(closed.database(), closed.transaction(), closed.how());
  }

  private PreparedSql statement(CommandContext context, Sql.StatementId id) {
    try {
      return statements.get(context, id.value());
    } catch (HandleNotFoundException notOwned) {
      throw closedStatementOr(context, id.value(), notOwned);
    }
  }

  private RuntimeException closedStatementOr(
      CommandContext context, long handle, HandleNotFoundException otherwise) {
    ClosedHandles.Closed closed = closedStatements.find(handle, context.caller());
    return closed == null
        ? otherwise
        : new TransactionClosedException(closed.database(), closed.transaction(), closed.how());
  }

  private static void checkParameters(Sql.StatementId id, PreparedSql prepared, int given) {
    if (given != prepared.parameterCount()) {
      throw new IllegalArgumentException(
          "statement "
              + id.value()
              + " has "
              + prepared.parameterCount()
              + " parameters ("
              + prepared.sql()
              + "), "
              + given
              + " given");
    }
  }

  private Databases databases() {
    Databases known = databases;
    if (known == null) {
      throw new IllegalStateException("the sql module is not registered on a node");
    }
    return known;
  }

  /** Runs short cleanup off the calling thread, even after the executor stopped. */
  private void background(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException stopping) {
      Thread.ofPlatform().name("baton-sql-cleanup").daemon().start(task);
    }
  }

  private static CancellationException cancelled() {
    return new CancellationException(
        "the sql command was abandoned: its process ended or its yield's deadline passed");
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Returning a connection or closing a statement that failed: nothing more to do.
    }
  }
}
