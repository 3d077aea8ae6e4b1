package dev.baton.sql;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.JDBCType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The sql module's commands and their ids (DESIGN.md's table), handled by {@link SqlModule}.
 *
 * <p>A process runs SQL on one of the node's {@link Databases} with {@link Query} and {@link
 * Execute}; {@link Prepare} gives it a reusable statement ({@link StmtQuery}, {@link StmtExecute},
 * {@link StmtClose}); {@link Begin} gives it a transaction that holds one pooled connection until
 * {@link TxCommit} or {@link TxRollback} ({@link TxQuery}, {@link TxExecute}, {@link TxPrepare} run
 * on it). Statements and transactions belong to the process that created them: no other process can
 * use them, and when the process ends its transactions are rolled back, its statements closed and
 * its connections returned to the pool.
 *
 * <p>Parameters are bound positionally to the statement's {@code ?} markers. Supported values (so a
 * mistake fails when the command is built, not in a driver): {@code null}, {@link TypedNull},
 * {@link String}, {@link Boolean}, {@link Byte}, {@link Short}, {@link Integer}, {@link Long},
 * {@link Float}, {@link Double}, {@link BigDecimal}, {@link BigInteger} (bound as a {@code
 * BigDecimal}), {@code byte[]} (copied), {@link LocalDate}, {@link LocalTime}, {@link
 * LocalDateTime}, {@link OffsetDateTime}, {@link OffsetTime}, {@link Instant} (bound as an {@code
 * OffsetDateTime} in UTC) and {@link UUID}. Results are {@link Rows}; see there how column values
 * are converted.
 *
 * <p>All records are immutable and validate their fields when built ({@link NullPointerException}
 * or {@link IllegalArgumentException} naming the field).
 */
public final class Sql {
  /** The id of {@code Query}. */
  public static final CommandId QUERY = CommandId.of(100);

  /** The id of {@code Execute}. */
  public static final CommandId EXECUTE = CommandId.of(101);

  /** The id of {@code Prepare}. */
  public static final CommandId PREPARE = CommandId.of(102);

  /** The id of {@code Begin}. */
  public static final CommandId BEGIN = CommandId.of(103);

  /** The id of {@code StmtQuery}. */
  public static final CommandId STMT_QUERY = CommandId.of(104);

  /** The id of {@code StmtExecute}. */
  public static final CommandId STMT_EXECUTE = CommandId.of(105);

  /** The id of {@code StmtClose}. */
  public static final CommandId STMT_CLOSE = CommandId.of(106);

  /** The id of {@code TxQuery}. */
  public static final CommandId TX_QUERY = CommandId.of(107);

  /** The id of {@code TxExecute}. */
  public static final CommandId TX_EXECUTE = CommandId.of(108);

  /** The id of {@code TxPrepare}. */
  public static final CommandId TX_PREPARE = CommandId.of(109);

  /** The id of {@code TxCommit}. */
  public static final CommandId TX_COMMIT = CommandId.of(110);

  /** The id of {@code TxRollback}. */
  public static final CommandId TX_ROLLBACK = CommandId.of(111);

  /** The database a command uses when it names none. */
  public static final String DEFAULT_DATABASE = "default";

  /**
   * How many rows a query may return when it does not say: 10,000. A query whose result has more
   * fails with {@link ResultTooLargeException} (nothing is returned), so a forgotten {@code WHERE}
   * cannot exhaust the node's memory.
   */
  public static final int DEFAULT_MAX_ROWS = 10_000;

  /** The largest row limit a query may ask for: 1,000,000. */
  public static final int MAX_ROWS_LIMIT = 1_000_000;

  private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private Sql() {}

  // ---- values ----

  /**
   * A statement made by {@link Prepare} or {@link TxPrepare}, private to the process that made it.
   *
   * @param value the handle's number
   */
  public record StatementId(long value) {}

  /**
   * A transaction started by {@link Begin}, private to the process that started it.
   *
   * @param value the handle's number
   */
  public record TransactionId(long value) {}

  /**
   * A SQL {@code NULL} bound with an explicit type, for drivers that need one (a plain {@code null}
   * parameter is bound as {@link java.sql.Types#NULL}, which H2 and PostgreSQL accept).
   *
   * @param type the JDBC type the parameter has
   */
  public record TypedNull(JDBCType type) {
    /** Requires a type. */
    public TypedNull {
      requireNonNull(type, "type");
    }
  }

  /** A transaction's isolation level; {@link #DEFAULT} keeps the database's own. */
  public enum Isolation {
    /** The database's default (READ COMMITTED on PostgreSQL and H2). */
    DEFAULT(-1),
    /** {@link Connection#TRANSACTION_READ_UNCOMMITTED}. */
    READ_UNCOMMITTED(Connection.TRANSACTION_READ_UNCOMMITTED),
    /** {@link Connection#TRANSACTION_READ_COMMITTED}. */
    READ_COMMITTED(Connection.TRANSACTION_READ_COMMITTED),
    /** {@link Connection#TRANSACTION_REPEATABLE_READ}. */
    REPEATABLE_READ(Connection.TRANSACTION_REPEATABLE_READ),
    /** {@link Connection#TRANSACTION_SERIALIZABLE}. */
    SERIALIZABLE(Connection.TRANSACTION_SERIALIZABLE);

    private final int jdbcLevel;

    Isolation(int jdbcLevel) {
      this.jdbcLevel = jdbcLevel;
    }

    /** The {@link Connection} constant, or -1 for {@link #DEFAULT}. */
    public int jdbcLevel() {
      return jdbcLevel;
    }
  }

  /**
   * Which generated keys an insert returns in {@link Executed#generatedKeys()}. Keys must be asked
   * for when the statement is prepared, so {@link Prepare} and {@link TxPrepare} carry this too.
   *
   * @param requested whether keys are returned at all
   * @param columns the key columns to return; empty lets the driver choose (H2: the identity
   *     columns; PostgreSQL: every column of the inserted row)
   */
  public record GeneratedKeys(boolean requested, List<String> columns) {
    /** No keys are returned. */
    public static final GeneratedKeys NONE = new GeneratedKeys(false, List.of());

    /** The driver's choice of keys is returned. */
    public static final GeneratedKeys DRIVER_CHOICE = new GeneratedKeys(true, List.of());

    /** Validates the columns (non-blank) and copies them. */
    public GeneratedKeys {
      columns = List.copyOf(requireNonNull(columns, "columns"));
      for (String column : columns) {
        if (column.isBlank()) {
          throw new IllegalArgumentException("a generated key column name is blank");
        }
      }
      if (!requested && !columns.isEmpty()) {
        throw new IllegalArgumentException("key columns given but keys not requested");
      }
    }

    /** The keys in these columns are returned (the names as the database spells them). */
    public static GeneratedKeys of(String... columns) {
      if (columns.length == 0) {
        throw new IllegalArgumentException("columns: name at least one, or use DRIVER_CHOICE");
      }
      return new GeneratedKeys(true, Arrays.asList(columns));
    }
  }

  // ---- commands on a database ----

  /**
   * Runs a query on a pooled connection and completes with its {@link Rows}.
   *
   * <p>Errors: {@link DatabaseNotFoundException}, {@link SqlException} (the database refused the
   * statement or the connection failed), {@link ResultTooLargeException} (more than {@code maxRows}
   * rows), {@link DatabaseClosedException}.
   *
   * @param database the database's name in {@link Databases}
   * @param sql the statement, with {@code ?} markers
   * @param params the values for the markers, in order
   * @param maxRows the most rows the result may have, 1 to {@link #MAX_ROWS_LIMIT}
   */
  public record Query(String database, String sql, List<@Nullable Object> params, int maxRows)
      implements Command<Rows> {
    /** Validates and copies the fields. */
    public Query {
      database = checkDatabase(database);
      sql = checkSql(sql);
      params = checkParams(params);
      maxRows = checkMaxRows(maxRows);
    }

    /** A query on the {@value Sql#DEFAULT_DATABASE} database. */
    public static Query of(String sql, @Nullable Object... params) {
      return on(DEFAULT_DATABASE, sql, params);
    }

    /** A query on {@code database}. */
    public static Query on(String database, String sql, @Nullable Object... params) {
      return new Query(database, sql, paramList(params), DEFAULT_MAX_ROWS);
    }

    /** This query with another row limit. */
    public Query withMaxRows(int maxRows) {
      return new Query(database, sql, params, maxRows);
    }

    @Override
    public CommandId commandId() {
      return QUERY;
    }
  }

  /**
   * Runs an insert, update, delete or DDL statement on a pooled connection (in auto-commit) and
   * completes with the rows it affected and, when asked, the keys it generated.
   *
   * <p>Errors: as {@link Query}; a constraint violation is a {@link SqlException} whose {@link
   * SqlException#isConstraintViolation()} is true.
   *
   * @param database the database's name
   * @param sql the statement
   * @param params the values for its markers
   * @param keys which generated keys to return
   */
  public record Execute(
      String database, String sql, List<@Nullable Object> params, GeneratedKeys keys)
      implements Command<Executed> {
    /** Validates and copies the fields. */
    public Execute {
      database = checkDatabase(database);
      sql = checkSql(sql);
      params = checkParams(params);
      requireNonNull(keys, "keys");
    }

    /** A statement on the {@value Sql#DEFAULT_DATABASE} database. */
    public static Execute of(String sql, @Nullable Object... params) {
      return on(DEFAULT_DATABASE, sql, params);
    }

    /** A statement on {@code database}. */
    public static Execute on(String database, String sql, @Nullable Object... params) {
      return new Execute(database, sql, paramList(params), GeneratedKeys.NONE);
    }

    /** This statement, returning the keys the driver chooses. */
    public Execute returningKeys() {
      return new Execute(database, sql, params, GeneratedKeys.DRIVER_CHOICE);
    }

    /** This statement, returning the keys in {@code columns}. */
    public Execute returningKeys(String... columns) {
      return new Execute(database, sql, params, GeneratedKeys.of(columns));
    }

    @Override
    public CommandId commandId() {
      return EXECUTE;
    }
  }

  /**
   * Checks a statement by preparing it once and completes with a handle for {@link StmtQuery} and
   * {@link StmtExecute}. Such a statement holds no connection: each run takes a pooled connection
   * and prepares it there (drivers cache prepared statements per connection), so any number of
   * statements can be kept without draining the pool. It is closed by {@link StmtClose} or when the
   * process ends.
   *
   * <p>Errors: {@link DatabaseNotFoundException}, {@link SqlException} (bad SQL, on databases that
   * check it when preparing: H2 and PostgreSQL do), {@link dev.baton.modules.NotAProcessException}.
   *
   * @param database the database's name
   * @param sql the statement
   * @param keys which generated keys {@link StmtExecute} returns
   */
  public record Prepare(String database, String sql, GeneratedKeys keys)
      implements Command<StatementId> {
    /** Validates the fields. */
    public Prepare {
      database = checkDatabase(database);
      sql = checkSql(sql);
      requireNonNull(keys, "keys");
    }

    /** A statement on the {@value Sql#DEFAULT_DATABASE} database. */
    public Prepare(String sql) {
      this(DEFAULT_DATABASE, sql, GeneratedKeys.NONE);
    }

    /** A statement on {@code database}. */
    public Prepare(String database, String sql) {
      this(database, sql, GeneratedKeys.NONE);
    }

    @Override
    public CommandId commandId() {
      return PREPARE;
    }
  }

  /**
   * Starts a transaction on a connection taken from the pool and held until {@link TxCommit} or
   * {@link TxRollback} (or the process's end, which rolls it back). Completes with its handle.
   *
   * <p>Errors: {@link DatabaseNotFoundException}, {@link SqlException} (no connection within the
   * pool's timeout, or the isolation level is not supported), {@link
   * dev.baton.modules.NotAProcessException}.
   *
   * @param database the database's name
   * @param isolation the isolation level
   * @param readOnly whether the transaction only reads (a hint some databases enforce: PostgreSQL
   *     and H2 refuse writes)
   */
  public record Begin(String database, Isolation isolation, boolean readOnly)
      implements Command<TransactionId> {
    /** Validates the fields. */
    public Begin {
      database = checkDatabase(database);
      requireNonNull(isolation, "isolation");
    }

    /** A read-write transaction on the {@value Sql#DEFAULT_DATABASE} database. */
    public Begin() {
      this(DEFAULT_DATABASE, Isolation.DEFAULT, false);
    }

    /** A read-write transaction on {@code database} at its default isolation. */
    public static Begin on(String database) {
      return new Begin(database, Isolation.DEFAULT, false);
    }

    /** This transaction at {@code isolation}. */
    public Begin withIsolation(Isolation isolation) {
      return new Begin(database, isolation, readOnly);
    }

    /** This transaction, read-only. */
    public Begin asReadOnly() {
      return new Begin(database, isolation, true);
    }

    @Override
    public CommandId commandId() {
      return BEGIN;
    }
  }

  // ---- commands on a statement ----

  /**
   * Runs a prepared query with {@code params}; completes with its {@link Rows}. On a statement of a
   * transaction ({@link TxPrepare}) it runs in that transaction.
   *
   * <p>Errors: {@link dev.baton.modules.HandleNotFoundException} (not this process's statement, or
   * closed), {@link TransactionClosedException} (its transaction has ended), and those of {@link
   * Query}.
   *
   * @param statement the statement
   * @param params the values for its markers
   * @param maxRows the most rows the result may have
   */
  public record StmtQuery(StatementId statement, List<@Nullable Object> params, int maxRows)
      implements Command<Rows> {
    /** Validates and copies the fields. */
    public StmtQuery {
      requireNonNull(statement, "statement");
      params = checkParams(params);
      maxRows = checkMaxRows(maxRows);
    }

    /** A run of {@code statement} with {@code params}. */
    public static StmtQuery of(StatementId statement, @Nullable Object... params) {
      return new StmtQuery(statement, paramList(params), DEFAULT_MAX_ROWS);
    }

    /** This run with another row limit. */
    public StmtQuery withMaxRows(int maxRows) {
      return new StmtQuery(statement, params, maxRows);
    }

    @Override
    public CommandId commandId() {
      return STMT_QUERY;
    }
  }

  /**
   * Runs a prepared update with {@code params}; completes with what it did (keys as the statement
   * was prepared to return).
   *
   * <p>Errors: as {@link StmtQuery}.
   *
   * @param statement the statement
   * @param params the values for its markers
   */
  public record StmtExecute(StatementId statement, List<@Nullable Object> params)
      implements Command<Executed> {
    /** Validates and copies the fields. */
    public StmtExecute {
      requireNonNull(statement, "statement");
      params = checkParams(params);
    }

    /** A run of {@code statement} with {@code params}. */
    public static StmtExecute of(StatementId statement, @Nullable Object... params) {
      return new StmtExecute(statement, paramList(params));
    }

    @Override
    public CommandId commandId() {
      return STMT_EXECUTE;
    }
  }

  /**
   * Closes a statement; its handle is invalid afterwards. Completes with {@code true}.
   *
   * <p>Errors: {@link dev.baton.modules.HandleNotFoundException} (not this process's, or already
   * closed).
   *
   * @param statement the statement
   */
  public record StmtClose(StatementId statement) implements Command<Boolean> {
    /** Requires a statement. */
    public StmtClose {
      requireNonNull(statement, "statement");
    }

    @Override
    public CommandId commandId() {
      return STMT_CLOSE;
    }
  }

  // ---- commands on a transaction ----

  /**
   * Runs a query in a transaction. A transaction's commands run one at a time, in the order the
   * module receives them.
   *
   * <p>Errors: {@link dev.baton.modules.HandleNotFoundException} (not this process's transaction),
   * {@link TransactionClosedException} (committed or rolled back), and those of {@link Query}.
   *
   * @param transaction the transaction
   * @param sql the statement
   * @param params the values for its markers
   * @param maxRows the most rows the result may have
   */
  public record TxQuery(
      TransactionId transaction, String sql, List<@Nullable Object> params, int maxRows)
      implements Command<Rows> {
    /** Validates and copies the fields. */
    public TxQuery {
      requireNonNull(transaction, "transaction");
      sql = checkSql(sql);
      params = checkParams(params);
      maxRows = checkMaxRows(maxRows);
    }

    /** A query in {@code transaction}. */
    public static TxQuery of(TransactionId transaction, String sql, @Nullable Object... params) {
      return new TxQuery(transaction, sql, paramList(params), DEFAULT_MAX_ROWS);
    }

    /** This query with another row limit. */
    public TxQuery withMaxRows(int maxRows) {
      return new TxQuery(transaction, sql, params, maxRows);
    }

    @Override
    public CommandId commandId() {
      return TX_QUERY;
    }
  }

  /**
   * Runs an update in a transaction.
   *
   * <p>Errors: as {@link TxQuery}.
   *
   * @param transaction the transaction
   * @param sql the statement
   * @param params the values for its markers
   * @param keys which generated keys to return
   */
  public record TxExecute(
      TransactionId transaction, String sql, List<@Nullable Object> params, GeneratedKeys keys)
      implements Command<Executed> {
    /** Validates and copies the fields. */
    public TxExecute {
      requireNonNull(transaction, "transaction");
      sql = checkSql(sql);
      params = checkParams(params);
      requireNonNull(keys, "keys");
    }

    /** An update in {@code transaction}. */
    public static TxExecute of(TransactionId transaction, String sql, @Nullable Object... params) {
      return new TxExecute(transaction, sql, paramList(params), GeneratedKeys.NONE);
    }

    /** This update, returning the keys the driver chooses. */
    public TxExecute returningKeys() {
      return new TxExecute(transaction, sql, params, GeneratedKeys.DRIVER_CHOICE);
    }

    /** This update, returning the keys in {@code columns}. */
    public TxExecute returningKeys(String... columns) {
      return new TxExecute(transaction, sql, params, GeneratedKeys.of(columns));
    }

    @Override
    public CommandId commandId() {
      return TX_EXECUTE;
    }
  }

  /**
   * Prepares a statement on the transaction's connection; completes with its handle. It runs in the
   * transaction ({@link StmtQuery}, {@link StmtExecute}) and is closed when the transaction ends
   * (its handle then fails with {@link TransactionClosedException}) or by {@link StmtClose}.
   *
   * <p>Errors: as {@link TxQuery}.
   *
   * @param transaction the transaction
   * @param sql the statement
   * @param keys which generated keys {@link StmtExecute} returns
   */
  public record TxPrepare(TransactionId transaction, String sql, GeneratedKeys keys)
      implements Command<StatementId> {
    /** Validates the fields. */
    public TxPrepare {
      requireNonNull(transaction, "transaction");
      sql = checkSql(sql);
      requireNonNull(keys, "keys");
    }

    /** A statement in {@code transaction}. */
    public TxPrepare(TransactionId transaction, String sql) {
      this(transaction, sql, GeneratedKeys.NONE);
    }

    @Override
    public CommandId commandId() {
      return TX_PREPARE;
    }
  }

  /**
   * Commits a transaction and returns its connection to the pool; completes with {@code true}. The
   * handle is finished whatever happens: if the commit fails (a serialization failure, a deferred
   * constraint), the transaction is rolled back and the error is a {@link SqlException}.
   *
   * <p>Errors: {@link dev.baton.modules.HandleNotFoundException}, {@link
   * TransactionClosedException} (already committed or rolled back), {@link SqlException}.
   *
   * @param transaction the transaction
   */
  public record TxCommit(TransactionId transaction) implements Command<Boolean> {
    /** Requires a transaction. */
    public TxCommit {
      requireNonNull(transaction, "transaction");
    }

    @Override
    public CommandId commandId() {
      return TX_COMMIT;
    }
  }

  /**
   * Rolls a transaction back and returns its connection to the pool; completes with {@code true}.
   *
   * <p>Errors: as {@link TxCommit}.
   *
   * @param transaction the transaction
   */
  public record TxRollback(TransactionId transaction) implements Command<Boolean> {
    /** Requires a transaction. */
    public TxRollback {
      requireNonNull(transaction, "transaction");
    }

    @Override
    public CommandId commandId() {
      return TX_ROLLBACK;
    }
  }

  // ---- validation ----

  /**
   * Checks a database name: 1-64 of letters, digits, '.', '_', '-', starting with a letter or
   * digit.
   */
  static String checkDatabase(String database) {
    requireNonNull(database, "database");
    if (!DATABASE_NAME.matcher(database).matches()) {
      throw new IllegalArgumentException(
          "database: '" + database + "' is not a database name ([A-Za-z0-9][A-Za-z0-9._-]{0,63})");
    }
    return database;
  }

  private static String checkSql(String sql) {
    requireNonNull(sql, "sql");
    if (sql.isBlank()) {
      throw new IllegalArgumentException("sql is blank");
    }
    return sql;
  }

  private static int checkMaxRows(int maxRows) {
    if (maxRows < 1 || maxRows > MAX_ROWS_LIMIT) {
      throw new IllegalArgumentException(
          "maxRows must be 1 to " + MAX_ROWS_LIMIT + ", was " + maxRows);
    }
    return maxRows;
  }

  private static List<@Nullable Object> paramList(@Nullable Object @Nullable [] params) {
    if (params == null) {
      // A single null passed as the varargs array: one NULL parameter.
      return Collections.singletonList(null);
    }
    return Arrays.asList(params);
  }

  /** Checks every parameter's type and copies the list (and any byte array). */
  static List<@Nullable Object> checkParams(List<@Nullable Object> params) {
    requireNonNull(params, "params");
    List<@Nullable Object> copy = new ArrayList<>(params.size());
    for (int i = 0; i < params.size(); i++) {
      Object value = params.get(i);
      if (value instanceof byte[] bytes) {
        copy.add(bytes.clone());
      } else if (value == null || isSupported(value)) {
        copy.add(value);
      } else {
        throw new IllegalArgumentException(
            "params["
                + i
                + "]: a "
                + value.getClass().getName()
                + " cannot be bound; use null, TypedNull, String, Boolean, a number (Byte, Short,"
                + " Integer, Long, Float, Double, BigDecimal, BigInteger), byte[], LocalDate,"
                + " LocalTime, LocalDateTime, OffsetDateTime, OffsetTime, Instant or UUID");
      }
    }
    return Collections.unmodifiableList(copy);
  }

  private static boolean isSupported(Object value) {
    return value instanceof String
        || value instanceof Boolean
        || value instanceof Byte
        || value instanceof Short
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Float
        || value instanceof Double
        || value instanceof BigDecimal
        || value instanceof BigInteger
        || value instanceof LocalDate
        || value instanceof LocalTime
        || value instanceof LocalDateTime
        || value instanceof OffsetDateTime
        || value instanceof OffsetTime
        || value instanceof Instant
        || value instanceof UUID
        || value instanceof TypedNull;
  }
}
