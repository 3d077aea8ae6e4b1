package dev.baton.workflow;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A unique schema in the local PostgreSQL (127.0.0.1:5432, database test, user postgres, trust
 * auth) for one test run, dropped by {@link #close()}. Fails when the server is unreachable.
 */
final class PostgresSchema implements AutoCloseable {
  static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String USER = "postgres";

  final String name;

  PostgresSchema(String prefix) throws SQLException {
    name =
        prefix
            + "_"
            + Long.toHexString(System.nanoTime())
            + "_"
            + ThreadLocalRandom.current().nextInt(1_000_000);
    execute("CREATE SCHEMA " + name);
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(URL, USER, null);
  }

  PostgresWorkflowJournal journal() {
    return PostgresWorkflowJournal.open(URL, USER, null, name);
  }

  void execute(String sql) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  @Override
  public void close() throws SQLException {
    execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
  }
}
