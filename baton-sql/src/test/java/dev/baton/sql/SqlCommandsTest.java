package dev.baton.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.sql.Sql.Begin;
import dev.baton.sql.Sql.Execute;
import dev.baton.sql.Sql.Query;
import dev.baton.sql.Sql.StatementId;
import dev.baton.sql.Sql.StmtQuery;
import java.math.BigInteger;
import java.sql.JDBCType;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The commands, values and configuration reject bad input when built. */
class SqlCommandsTest {

  @Test
  void commandsCarryTheirIds() {
    assertThat(Query.of("select 1").commandId()).isEqualTo(Sql.QUERY);
    assertThat(Execute.of("delete from t").commandId()).isEqualTo(Sql.EXECUTE);
    assertThat(new Begin().commandId()).isEqualTo(Sql.BEGIN);
    assertThat(new Sql.TxCommit(new Sql.TransactionId(1)).commandId()).isEqualTo(Sql.TX_COMMIT);
    assertThat(new Sql.TxRollback(new Sql.TransactionId(1)).commandId()).isEqualTo(Sql.TX_ROLLBACK);
    assertThat(new SqlModule().commandIds()).hasSize(12);
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void badDatabaseNames_blankSql_andRowLimitsOutOfRange_areRefused() {
    assertThatThrownBy(() -> Query.on("", "select 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("database");
    assertThatThrownBy(() -> Query.on("a b", "select 1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Query.of("  ")).hasMessageContaining("sql is blank");
    assertThatThrownBy(() -> Query.of("select 1").withMaxRows(0)).hasMessageContaining("maxRows");
    assertThatThrownBy(() -> Query.of("select 1").withMaxRows(Sql.MAX_ROWS_LIMIT + 1))
        .hasMessageContaining("maxRows");
    assertThatThrownBy(() -> new Sql.Prepare(null, "select 1", Sql.GeneratedKeys.NONE))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("database");
  }

  @Test
  void unsupportedParameterTypes_areRefusedNamingTheirPosition() {
    assertThatThrownBy(() -> Query.of("select ?, ?", 1, new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("params[1]")
        .hasMessageContaining("java.lang.Object");
    assertThatThrownBy(() -> Query.of("select ?", Duration.ofSeconds(1)))
        .hasMessageContaining("params[0]");
  }

  @Test
  void supportedParameters_areKept_nullsIncluded_andByteArraysCopied() {
    byte[] bytes = {1, 2};
    Query query =
        Query.of(
            "select ?",
            null,
            "s",
            BigInteger.TEN,
            bytes,
            Instant.EPOCH,
            UUID.randomUUID(),
            new Sql.TypedNull(JDBCType.DATE));
    bytes[0] = 9;

    assertThat(query.params()).hasSize(7);
    assertThat(query.params().get(0)).isNull();
    assertThat((byte[]) query.params().get(3)).containsExactly(1, 2);
    assertThatThrownBy(() -> query.params().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void parameterListsMayHoldNulls() {
    List<Object> params = new ArrayList<>(Arrays.asList(1, null));
    StmtQuery query = new StmtQuery(new StatementId(1), params, 10);
    params.clear();

    assertThat(query.params()).containsExactly(1, null);
  }

  @Test
  void generatedKeys_needColumnsOrTheDriversChoice() {
    assertThat(Execute.of("insert").returningKeys().keys())
        .isEqualTo(Sql.GeneratedKeys.DRIVER_CHOICE);
    assertThat(Execute.of("insert").returningKeys("id").keys().columns()).containsExactly("id");
    assertThatThrownBy(() -> Sql.GeneratedKeys.of()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sql.GeneratedKeys.of(" ")).hasMessageContaining("blank");
  }

  @Test
  void rows_findColumnsIgnoringCase_andGiveASingleValue() {
    Rows rows =
        new Rows(List.of(new Rows.Column("ID", JDBCType.BIGINT, "BIGINT")), List.of(List.of(7L)));

    assertThat(rows.get(0, "id")).isEqualTo(7L);
    assertThat(rows.value()).isEqualTo(7L);
    assertThatThrownBy(() -> rows.columnIndex("name"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("[ID]");
    assertThatThrownBy(Rows.EMPTY::value).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () ->
                new Rows(
                    List.of(new Rows.Column("a", JDBCType.INTEGER, "int")), List.of(List.of())))
        .hasMessageContaining("0 values for 1 columns");
  }

  @Test
  void databaseConfig_rejectsBadValuesNamingThem() {
    assertThatThrownBy(() -> DatabaseConfig.builder("x").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("jdbcUrl or a dataSource");
    assertThatThrownBy(() -> DatabaseConfig.builder("x").jdbcUrl("postgres://h"))
        .hasMessageContaining("jdbcUrl");
    assertThatThrownBy(() -> DatabaseConfig.builder("x").maximumPoolSize(0))
        .hasMessageContaining("maximumPoolSize");
    assertThatThrownBy(() -> DatabaseConfig.builder("x").connectionTimeout(Duration.ofMillis(10)))
        .hasMessageContaining("connectionTimeout");
    assertThatThrownBy(() -> DatabaseConfig.builder("bad name")).hasMessageContaining("database");
  }

  @Test
  void twoDatabasesWithOneName_areRefused() {
    assertThatThrownBy(
            () ->
                new Databases(
                    List.of(DatabaseConfig.h2InMemory("a"), DatabaseConfig.h2InMemory("a"))))
        .hasMessageContaining("two databases are named 'a'");
  }

  @Test
  void sqlException_keepsTheStatement_andShortensItInTheMessage() {
    String statement = "select " + "x, ".repeat(60) + "y from t";
    SqlException e = new SqlException("main", statement, new SQLException("boom", "40001", 17));

    assertThat(e.statement()).isEqualTo(statement);
    assertThat(e.getMessage())
        .startsWith("database 'main': select x,")
        .contains("...", "SQLState 40001", "boom")
        .doesNotContain("y from t");
    assertThat(e.isTransientTransactionFailure()).isTrue();
    assertThat(e.isConstraintViolation()).isFalse();
    assertThat(e.vendorCode()).isEqualTo(17);
  }
}
