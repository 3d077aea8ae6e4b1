package dev.baton.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

  @Override
  void awaitSlowStatementsRunning(int n) {
    TestNode.awaitCondition(n + " slow statements to run", () -> running(SCHEMA) == n);
  }

  @Test
  void arrays_json_andTimestamps_convertTheSameWayInsideArraysAsOutside() {
    Rows rows =
        node.callInCoroutine(
            Sql.Query.on(
                DB,
                "select array[1, null, 3]::int[] as ints,"
                    + " array['2024-01-02 03:04:05+02']::timestamptz[] as stamps_tz,"
                    + " array['2024-01-02 03:04:05']::timestamp[] as stamps,"
                    + " '{\"a\": 1}'::json as doc, array['{\"a\": 1}'::jsonb] as docs,"
                    + " array[[1, 2], [3, 4]] as grid, 12345678901234567890.123456789::numeric as big,"
                    + " '2024-01-02 03:04:05.123456+02'::timestamptz as stamp_tz"));
    assertThat(rows.get(0, "ints")).isEqualTo(java.util.Arrays.asList(1, null, 3));
    assertThat(rows.get(0, "stamps_tz"))
        .isEqualTo(
            List.of(
                java.time.OffsetDateTime.parse("2024-01-02T01:04:05Z")
                    .withOffsetSameInstant(java.time.ZoneOffset.UTC)));
    assertThat(rows.get(0, "stamps"))
        .isEqualTo(List.of(java.time.LocalDateTime.parse("2024-01-02T03:04:05")));
    assertThat(rows.get(0, "doc")).isEqualTo("{\"a\": 1}");
    assertThat(rows.get(0, "docs")).isEqualTo(List.of("{\"a\": 1}"));
    assertThat(rows.get(0, "grid")).isEqualTo(List.of(List.of(1, 2), List.of(3, 4)));
    assertThat(rows.get(0, "big")).isEqualTo(new BigDecimal("12345678901234567890.123456789"));
    assertThat(
            ((java.time.OffsetDateTime) java.util.Objects.requireNonNull(rows.get(0, "stamp_tz")))
                .toInstant())
        .isEqualTo(java.time.Instant.parse("2024-01-02T01:04:05.123456Z"));
  }

  @Test
  void aStatementWhoseCancelIsLost_isStoppedByAbortingItsConnection_whichLeavesThePool() {
    // A driver whose Statement.cancel() does nothing: what a cancel that reached PostgreSQL before
    // its statement did (and pgjdbc's one cancel per execution) amounts to.
    String application = SCHEMA + "_deaf";
    DataSource deaf = dataSourceIgnoringCancel(SERVER + "?ApplicationName=" + application);
    try (TestNode deafNode =
        TestNode.builder()
            .component(
                Databases.component(
                    DatabaseConfig.builder("deaf").dataSource(deaf).maximumPoolSize(2).build()))
            .dispatcher(new SqlModule())
            .build()) {
      Databases deafDatabases = deafNode.services().require(Databases.KEY);
      TestNode.Started slow =
          deafNode.startStep(
              new TestNode.YieldOnce(Sql.Query.on("deaf", "select pg_sleep(30)")), null);
      TestNode.awaitCondition("the slow statement to run", () -> running(application) == 1);
      deafNode.scheduler().terminate(slow.pid(), "test");
      TestNode.awaitCondition(
          "the aborted connection to leave the pool",
          () -> deafDatabases.activeConnections("deaf") == 0);
      assertThat(slow.await().error()).isNotNull(); // terminated
      // The pool goes on with fresh connections.
      Rows rows = deafNode.callInCoroutine(Sql.Query.on("deaf", "select 7"));
      assertThat(((Number) java.util.Objects.requireNonNull(rows.value())).intValue()).isEqualTo(7);
    } finally {
      // PostgreSQL notices the closed socket only when the statement next talks to the client.
      terminateBackends(application);
    }
  }

  private static void terminateBackends(String application) {
    try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "");
        Statement statement = connection.createStatement()) {
      statement.execute(
          "select pg_terminate_backend(pid) from pg_stat_activity where application_name = '"
              + application
              + "'");
    } catch (SQLException e) {
      throw new AssertionError("could not end the test's backends", e);
    }
  }

  private static long running(String application) {
    try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "");
        Statement statement = connection.createStatement();
        ResultSet running =
            statement.executeQuery(
                "select count(*) from pg_stat_activity where application_name = '"
                    + application
                    + "' and state = 'active' and query like '%pg_sleep%'")) {
      running.next();
      return running.getLong(1);
    } catch (SQLException e) {
      throw new AssertionError("could not read pg_stat_activity", e);
    }
  }

  /** A data source of connections whose prepared statements ignore {@code cancel()}. */
  private static DataSource dataSourceIgnoringCancel(String url) {
    return (DataSource)
        Proxy.newProxyInstance(
            PostgresSqlModuleTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getConnection" ->
                      ignoringCancel(DriverManager.getConnection(url, "postgres", ""));
                  case "getLoginTimeout" -> 0;
                  case "isWrapperFor" -> false;
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> same(proxy, args[0]);
                  case "toString" -> "a data source ignoring cancel";
                  default -> null; // setLoginTimeout, setLogWriter, getLogWriter
                });
  }

  @SuppressWarnings("ReferenceEquality") // a proxy is equal to itself only
  private static boolean same(Object proxy, @Nullable Object other) {
    return proxy == other;
  }

  private static Connection ignoringCancel(Connection real) {
    return (Connection)
        Proxy.newProxyInstance(
            PostgresSqlModuleTest.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              Object result = invoke(method, real, args);
              if (result instanceof PreparedStatement statement) {
                return Proxy.newProxyInstance(
                    PostgresSqlModuleTest.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class},
                    (p, m, a) -> m.getName().equals("cancel") ? null : invoke(m, statement, a));
              }
              return result;
            });
  }

  private static @Nullable Object invoke(Method method, Object target, Object @Nullable [] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
