package dev.baton.workflow;

import static java.util.Objects.requireNonNull;

import dev.baton.workflow.spi.Failure;
import dev.baton.workflow.spi.JournalConflictException;
import dev.baton.workflow.spi.JournalEntry;
import dev.baton.workflow.spi.JournalUnavailableException;
import dev.baton.workflow.spi.Payload;
import dev.baton.workflow.spi.WorkflowJournal;
import dev.baton.workflow.spi.WorkflowRecord;
import dev.baton.workflow.spi.WorkflowStatus;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A journal in PostgreSQL (plain JDBC): three tables in a schema of your choice, created if absent:
 * {@code workflows} (one row per workflow: type, input, status, result or failure), {@code
 * workflow_entries} (primary key: workflow id and seq) and {@code workflow_attrs} (indexed by name
 * and value).
 *
 * <p><b>Atomicity.</b> Each method is one auto-committed statement, but for an attribute upsert,
 * which is one transaction (all its attributes or none). An append inserts its row only if the
 * workflow is running and the journal's length equals the entry's seq; two nodes that race for the
 * same seq both pass that check at most once, since the primary key refuses the second row. Either
 * refusal is a {@link JournalConflictException}. Complete and fail update only a running row.
 *
 * <p><b>Threads.</b> Thread-safe. A small pool of connections ({@link #DEFAULT_CONNECTIONS}, or as
 * given to {@link #open(String, String, String, String, int)}): each method takes one connection
 * for its own use (a JDBC connection is never shared by two callers at once), so one slow statement
 * does not hold up the journal I/O of other workflows; a caller waits when all are busy. A
 * connection that fails and is no longer valid is closed, with the idle ones (a restarted server
 * breaks them all), and new ones are opened on demand. Every method blocks on the database; an
 * interrupt while waiting for a connection is a {@link JournalUnavailableException} (with the
 * interrupt flag kept).
 */
public final class PostgresWorkflowJournal implements WorkflowJournal {
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final String url;
  private final Properties credentials;
  private final String workflows;
  private final String entries;
  private final String attrs;

  /** How many connections a journal opens at most, unless told otherwise. */
  public static final int DEFAULT_CONNECTIONS = 4;

  // Invariant: a connection is either in idle or held by exactly one caller of run(), which holds
  // one of the permits; at most `connections` exist. Once closed is set, released connections are
  // closed instead of kept (close() drains idle; a release after that drains again).
  private final Semaphore permits;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  private PostgresWorkflowJournal(
      String url, Properties credentials, String schema, int connections) {
    this.url = url;
    this.credentials = credentials;
    this.permits = new Semaphore(connections, true);
    this.workflows = schema + ".workflows";
    this.entries = schema + ".workflow_entries";
    this.attrs = schema + ".workflow_attrs";
  }

  /**
   * Connects to {@code url} (a {@code jdbc:postgresql:} URL) and creates the schema and its tables
   * if absent.
   *
   * @param schema a lower-case SQL identifier
   * @throws JournalUnavailableException if the database cannot be reached or refuses the schema
   */
  public static PostgresWorkflowJournal open(
      String url, String user, @Nullable String password, String schema) {
    return open(url, user, password, schema, DEFAULT_CONNECTIONS);
  }

  /**
   * Like {@link #open(String, String, String, String)}, with at most {@code connections}
   * connections (each journal call holds one while it runs).
   *
   * @throws IllegalArgumentException if {@code connections < 1} or the schema is not a lower-case
   *     identifier
   * @throws JournalUnavailableException if the database cannot be reached or refuses the schema
   */
  public static PostgresWorkflowJournal open(
      String url, String user, @Nullable String password, String schema, int connections) {
    if (connections < 1) {
      throw new IllegalArgumentException("connections must be >= 1, was " + connections);
    }
    requireNonNull(url, "url");
    requireNonNull(user, "user");
    requireNonNull(schema, "schema");
    if (!SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException("schema must be a lower-case identifier, was " + schema);
    }
    Properties credentials = new Properties();
    credentials.setProperty("user", user);
    if (password != null) {
      credentials.setProperty("password", password);
    }
    PostgresWorkflowJournal journal =
        new PostgresWorkflowJournal(url, credentials, schema, connections);
    journal.run(
        "create the workflow journal's schema " + schema,
        connection -> {
          try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            statement.execute(
                "CREATE TABLE IF NOT EXISTS "
                    + journal.workflows
                    + " (id text PRIMARY KEY, type text NOT NULL, input_type text,"
                    + " input_json text NOT NULL, status text NOT NULL, result_type text,"
                    + " result_json text, error_type text, error_message text,"
                    + " created bigserial)");
            statement.execute(
                "CREATE TABLE IF NOT EXISTS "
                    + journal.entries
                    + " (workflow_id text NOT NULL, seq integer NOT NULL, kind text NOT NULL,"
                    + " name text NOT NULL, value_type text, value_json text, error_type text,"
                    + " error_message text, PRIMARY KEY (workflow_id, seq))");
            statement.execute(
                "CREATE TABLE IF NOT EXISTS "
                    + journal.attrs
                    + " (workflow_id text NOT NULL, name text NOT NULL, value text NOT NULL,"
                    + " PRIMARY KEY (workflow_id, name))");
            statement.execute(
                "CREATE INDEX IF NOT EXISTS workflow_attrs_by_value ON "
                    + journal.attrs
                    + " (name, value)");
          }
          return true;
        });
    return journal;
  }

  @Override
  public boolean create(String id, String type, Payload input) {
    requireNonNull(id, "id");
    requireNonNull(type, "type");
    requireNonNull(input, "input");
    return run(
        "create workflow " + id,
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO "
                      + workflows
                      + " (id, type, input_type, input_json, status) VALUES (?, ?, ?, ?, 'RUNNING')"
                      + " ON CONFLICT (id) DO NOTHING")) {
            insert.setString(1, id);
            insert.setString(2, type);
            insert.setString(3, input.type());
            insert.setString(4, input.json());
            return insert.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<WorkflowRecord> find(String id) {
    return run(
        "read workflow " + id,
        connection -> {
          List<WorkflowRecord> found = select(connection, " WHERE id = ?", id);
          return found.stream().findFirst();
        });
  }

  @Override
  public List<JournalEntry> entries(String id) {
    return run(
        "read the journal of workflow " + id,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT seq, kind, name, value_type, value_json, error_type, error_message FROM "
                      + entries
                      + " WHERE workflow_id = ? ORDER BY seq")) {
            query.setString(1, id);
            List<JournalEntry> list = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
              while (rows.next()) {
                String valueJson = rows.getString(5);
                String errorType = rows.getString(6);
                list.add(
                    new JournalEntry(
                        rows.getInt(1),
                        rows.getString(2),
                        rows.getString(3),
                        valueJson == null ? null : new Payload(rows.getString(4), valueJson),
                        errorType == null
                            ? null
                            : new Failure(errorType, requireNonNull(rows.getString(7)))));
              }
            }
            return list;
          }
        });
  }

  @Override
  public void append(String id, JournalEntry entry) {
    requireNonNull(entry, "entry");
    boolean appended =
        run(
            "append entry " + entry.seq() + " to workflow " + id,
            connection -> {
              try (PreparedStatement insert =
                  connection.prepareStatement(
                      "INSERT INTO "
                          + entries
                          + " (workflow_id, seq, kind, name, value_type, value_json, error_type,"
                          + " error_message) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1"
                          + " FROM "
                          + workflows
                          + " WHERE id = ? AND status = 'RUNNING') AND (SELECT count(*) FROM "
                          + entries
                          + " WHERE workflow_id = ?) = ? ON CONFLICT DO NOTHING")) {
                Payload value = entry.value();
                Failure failure = entry.failure();
                insert.setString(1, id);
                insert.setInt(2, entry.seq());
                insert.setString(3, entry.kind());
                insert.setString(4, entry.name());
                insert.setString(5, value == null ? null : value.type());
                insert.setString(6, value == null ? null : value.json());
                insert.setString(7, failure == null ? null : failure.type());
                insert.setString(8, failure == null ? null : failure.message());
                insert.setString(9, id);
                insert.setString(10, id);
                insert.setLong(11, entry.seq());
                return insert.executeUpdate() == 1;
              }
            });
    if (!appended) {
      throw new JournalConflictException(
          id,
          "entry "
              + entry.seq()
              + " of workflow '"
              + id
              + "' is not next, or the workflow is unknown or finished (another run advanced it)");
    }
  }

  @Override
  public void complete(String id, Payload result) {
    requireNonNull(result, "result");
    finish(id, "COMPLETED", result.type(), result.json(), null, null);
  }

  @Override
  public void fail(String id, Failure failure) {
    requireNonNull(failure, "failure");
    finish(id, "FAILED", null, null, failure.type(), failure.message());
  }

  private void finish(
      String id,
      String status,
      @Nullable String resultType,
      @Nullable String resultJson,
      @Nullable String errorType,
      @Nullable String errorMessage) {
    boolean updated =
        run(
            "finish workflow " + id,
            connection -> {
              try (PreparedStatement update =
                  connection.prepareStatement(
                      "UPDATE "
                          + workflows
                          + " SET status = ?, result_type = ?, result_json = ?, error_type = ?,"
                          + " error_message = ? WHERE id = ? AND status = 'RUNNING'")) {
                update.setString(1, status);
                update.setString(2, resultType);
                update.setString(3, resultJson);
                update.setString(4, errorType);
                update.setString(5, errorMessage);
                update.setString(6, id);
                return update.executeUpdate() == 1;
              }
            });
    if (!updated) {
      throw new JournalConflictException(
          id, "cannot finish workflow '" + id + "': it is unknown or already finished");
    }
  }

  @Override
  public List<WorkflowRecord> unfinished() {
    return run(
        "list unfinished workflows",
        connection -> select(connection, " WHERE status = 'RUNNING' ORDER BY created", null));
  }

  @Override
  public void upsertAttributes(String id, Map<String, String> values) {
    Map<String, String> copy = new TreeMap<>(values);
    run(
        "set attributes of workflow " + id,
        connection -> {
          connection.setAutoCommit(false); // all the attributes, or none
          try {
            upsert(connection, id, copy);
            connection.commit();
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          } finally {
            connection.setAutoCommit(true);
          }
          return true;
        });
  }

  private void upsert(Connection connection, String id, Map<String, String> values)
      throws SQLException {
    if (select(connection, " WHERE id = ?", id).isEmpty()) {
      throw new JournalConflictException(id, "no workflow '" + id + "' to set attributes of");
    }
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT INTO "
                + attrs
                + " (workflow_id, name, value) VALUES (?, ?, ?)"
                + " ON CONFLICT (workflow_id, name) DO UPDATE SET value = EXCLUDED.value")) {
      for (Map.Entry<String, String> attribute : values.entrySet()) {
        upsert.setString(1, id);
        upsert.setString(2, attribute.getKey());
        upsert.setString(3, attribute.getValue());
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }

  @Override
  public Map<String, String> attributes(String id) {
    return run(
        "read attributes of workflow " + id,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT name, value FROM " + attrs + " WHERE workflow_id = ?")) {
            query.setString(1, id);
            Map<String, String> found = new TreeMap<>();
            try (ResultSet rows = query.executeQuery()) {
              while (rows.next()) {
                found.put(rows.getString(1), rows.getString(2));
              }
            }
            return Map.copyOf(found);
          }
        });
  }

  @Override
  public List<String> findByAttribute(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    return run(
        "find workflows by attribute " + name,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT workflow_id FROM "
                      + attrs
                      + " WHERE name = ? AND value = ? ORDER BY workflow_id")) {
            query.setString(1, name);
            query.setString(2, value);
            List<String> ids = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
              while (rows.next()) {
                ids.add(rows.getString(1));
              }
            }
            return ids;
          }
        });
  }

  @Override
  public void close() {
    closed = true;
    closeIdle();
  }

  private void closeIdle() {
    Connection open;
    while ((open = idle.pollFirst()) != null) {
      closeQuietly(open);
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // closing anyway
    }
  }

  private List<WorkflowRecord> select(Connection connection, String where, @Nullable String id)
      throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT id, type, input_type, input_json, status, result_type, result_json,"
                + " error_type, error_message FROM "
                + workflows
                + where)) {
      if (id != null) {
        query.setString(1, id);
      }
      List<WorkflowRecord> list = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          String resultJson = rows.getString(7);
          String errorType = rows.getString(8);
          list.add(
              new WorkflowRecord(
                  rows.getString(1),
                  rows.getString(2),
                  new Payload(rows.getString(3), rows.getString(4)),
                  WorkflowStatus.valueOf(rows.getString(5)),
                  resultJson == null ? null : new Payload(rows.getString(6), resultJson),
                  errorType == null
                      ? null
                      : new Failure(errorType, requireNonNull(rows.getString(9)))));
        }
      }
      return list;
    }
  }

  /** A database call with the connection. */
  @FunctionalInterface
  private interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  /** Runs {@code work} on a connection of its own (idle or newly opened), then gives it back. */
  private <T> T run(String what, Work<T> work) {
    if (closed) {
      throw new JournalUnavailableException("cannot " + what + ": the journal is closed", null);
    }
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JournalUnavailableException(
          "cannot " + what + ": interrupted while waiting for a journal connection", e);
    }
    @Nullable Connection open = null;
    try {
      if (closed) {
        throw new JournalUnavailableException("cannot " + what + ": the journal is closed", null);
      }
      open = idle.pollFirst();
      if (open == null || open.isClosed()) {
        open = DriverManager.getConnection(url, credentials);
      }
      T result = work.apply(open);
      release(open);
      open = null;
      return result;
    } catch (SQLException e) {
      throw new JournalUnavailableException(
          "cannot " + what + " in the PostgreSQL journal: " + e.getMessage(), e);
    } finally {
      if (open != null) {
        discardOrRelease(open);
      }
      permits.release();
    }
  }

  /** After a failure: keeps {@code open} if it still works, else closes it and the idle ones. */
  private void discardOrRelease(Connection open) {
    boolean valid;
    try {
      valid = !open.isClosed() && open.isValid(1);
    } catch (SQLException e) {
      valid = false;
    }
    if (valid) {
      release(open);
    } else {
      closeQuietly(open);
      closeIdle(); // a lost server broke them too; new ones are opened on demand
    }
  }

  private void release(Connection open) {
    if (closed) {
      closeQuietly(open);
      return;
    }
    idle.offerFirst(open);
    if (closed) {
      closeIdle(); // close() ran meanwhile
    }
  }
}
