package dev.baton.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The sql module on the real PostgreSQL server at 127.0.0.1:5432 (database {@code test}, user
 * {@code postgres}), in a schema of its own that is dropped afterwards. Fails, never skips, when
 * the server is unreachable.
 */
class PostgresSqlModuleTest extends SqlModuleContract {
  private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final String SCHEMA =
      "baton_sql_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  @BeforeAll
  static void createSchema() throws SQLException {
    try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "");
        Statement statement = connection.createStatement()) {
      statement.execute("create schema " + SCHEMA);
    }
  }

  @AfterAll
  static void dropSchema() throws SQLException {
    try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "");
        Statement statement = connection.createStatement()) {
      statement.execute("drop schema if exists " + SCHEMA + " cascade");
    }
  }

  @Override
  DatabaseConfig.Builder database() {
    return DatabaseConfig.builder(DB)
        .jdbcUrl(SERVER + "?currentSchema=" + SCHEMA)
        .username("postgres")
        .property("ApplicationName", SCHEMA);
  }

  @Override
  String bytesType() {
    return "bytea";
  }

  @Override
  String slowQuery() {
    return "select pg_sleep(30)";
  }

  @Override
  void statementStopped() {
    try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "");
        Statement statement = connection.createStatement();
        ResultSet running =
            statement.executeQuery(
                "select count(*) from pg_stat_activity where application_name = '"
                    + SCHEMA
                    + "' and state = 'active' and query like '%pg_sleep%'")) {
      running.next();
      assertThat(running.getLong(1)).isZero();
    } catch (SQLException e) {
      throw new AssertionError("could not read pg_stat_activity", e);
    }
  }
}
