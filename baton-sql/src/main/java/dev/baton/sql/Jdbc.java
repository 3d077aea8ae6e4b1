package dev.baton.sql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Binding parameters and reading results, the same way for every database (see {@link Rows} and
 * {@link Sql}). Stateless; called on the module's worker threads.
 */
final class Jdbc {
  private static final int MAX_FETCH_SIZE = 500;

  private Jdbc() {}

  static PreparedStatement prepare(Connection connection, String sql, Sql.GeneratedKeys keys)
      throws SQLException {
    if (!keys.requested()) {
      return connection.prepareStatement(sql);
    }
    if (keys.columns().isEmpty()) {
      return connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
    }
    return connection.prepareStatement(sql, keys.columns().toArray(String[]::new));
  }

  static void bind(PreparedStatement statement, List<@Nullable Object> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      int index = i + 1;
      Object value = params.get(i);
      switch (value) {
        case null -> statement.setNull(index, Types.NULL);
        case Sql.TypedNull typed -> statement.setNull(index, typed.type().getVendorTypeNumber());
        case String text -> statement.setString(index, text);
        case Boolean bool -> statement.setBoolean(index, bool);
        case Byte number -> statement.setByte(index, number);
        case Short number -> statement.setShort(index, number);
        case Integer number -> statement.setInt(index, number);
        case Long number -> statement.setLong(index, number);
        case Float number -> statement.setFloat(index, number);
        case Double number -> statement.setDouble(index, number);
        case BigDecimal number -> statement.setBigDecimal(index, number);
        case BigInteger number -> statement.setBigDecimal(index, new BigDecimal(number));
        case byte[] bytes -> statement.setBytes(index, bytes);
        case Instant instant ->
            statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        default -> statement.setObject(index, value); // java.time types and UUID (JDBC 4.2)
      }
    }
  }

  /**
   * Runs a query and reads all of its rows.
   *
   * @throws ResultTooLargeException if it has more than {@code maxRows}
   */
  static Rows query(PreparedStatement statement, int maxRows, String database, String sql)
      throws SQLException {
    // One row past the limit tells "exactly at the limit" from "over it"; the database stops there.
    statement.setMaxRows(maxRows + 1);
    statement.setFetchSize(Math.min(maxRows + 1, MAX_FETCH_SIZE));
    try (ResultSet results = statement.executeQuery()) {
      return read(results, maxRows, database, sql);
    }
  }

  /** Runs an update and reads the keys it was prepared to return. */
  static Executed execute(
      PreparedStatement statement, Sql.GeneratedKeys keys, String database, String sql)
      throws SQLException {
    long affected = statement.executeUpdate();
    if (!keys.requested()) {
      return new Executed(affected, Rows.EMPTY);
    }
    try (ResultSet generated = statement.getGeneratedKeys()) {
      return new Executed(affected, read(generated, Sql.MAX_ROWS_LIMIT, database, sql));
    }
  }

  static Rows read(ResultSet results, int maxRows, String database, String sql)
      throws SQLException {
    ResultSetMetaData meta = results.getMetaData();
    int count = meta.getColumnCount();
    List<Rows.Column> columns = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      String typeName = meta.getColumnTypeName(i);
      columns.add(
          new Rows.Column(
              meta.getColumnLabel(i),
              jdbcType(meta.getColumnType(i)),
              typeName == null ? "" : typeName));
    }
    List<List<@Nullable Object>> rows = new ArrayList<>();
    while (results.next()) {
      if (rows.size() == maxRows) {
        throw new ResultTooLargeException(database, sql, maxRows);
      }
      List<@Nullable Object> row = new ArrayList<>(count);
      for (int i = 1; i <= count; i++) {
        row.add(value(results, i, columns.get(i - 1)));
      }
      rows.add(row);
    }
    return new Rows(columns, rows);
  }

  private static JDBCType jdbcType(int type) {
    try {
      return JDBCType.valueOf(type);
    } catch (IllegalArgumentException vendorSpecific) {
      return JDBCType.OTHER;
    }
  }

  private static @Nullable Object value(ResultSet results, int i, Rows.Column column)
      throws SQLException {
    String typeName = column.typeName().toLowerCase(Locale.ROOT);
    if (typeName.equals("uuid")) {
      return results.getObject(i, UUID.class);
    }
    if (typeName.equals("timestamptz") || typeName.equals("timestamp with time zone")) {
      return results.getObject(i, OffsetDateTime.class);
    }
    if (typeName.equals("timetz") || typeName.equals("time with time zone")) {
      return results.getObject(i, OffsetTime.class);
    }
    Object value =
        switch (column.type()) {
          case CHAR, VARCHAR, NCHAR, NVARCHAR, LONGVARCHAR, LONGNVARCHAR, CLOB, NCLOB ->
              results.getString(i);
          case TINYINT, SMALLINT, INTEGER -> results.getInt(i);
          case BIGINT -> results.getLong(i);
          case REAL -> results.getFloat(i);
          case FLOAT, DOUBLE -> results.getDouble(i);
          case NUMERIC, DECIMAL -> results.getBigDecimal(i);
          case BOOLEAN, BIT -> results.getBoolean(i);
          case BINARY, VARBINARY, LONGVARBINARY, BLOB -> results.getBytes(i);
          case DATE -> results.getObject(i, LocalDate.class);
          case TIME -> results.getObject(i, LocalTime.class);
          case TIMESTAMP -> results.getObject(i, LocalDateTime.class);
          case TIMESTAMP_WITH_TIMEZONE -> results.getObject(i, OffsetDateTime.class);
          case TIME_WITH_TIMEZONE -> results.getObject(i, OffsetTime.class);
          case ARRAY -> array(results.getArray(i));
          default -> results.getString(i);
        };
    return results.wasNull() ? null : value;
  }

  private static @Nullable Object array(@Nullable Array array) throws SQLException {
    if (array == null) {
      return null;
    }
    try {
      String base = array.getBaseTypeName();
      boolean withZone =
          base != null
              && (base.equalsIgnoreCase("timestamptz")
                  || base.toLowerCase(Locale.ROOT).startsWith("timestamp with time zone"));
      return list(array.getArray(), withZone);
    } finally {
      array.free();
    }
  }

  /** An array's elements as an unmodifiable list, nested arrays as nested lists. */
  private static List<@Nullable Object> list(Object elements, boolean withZone)
      throws SQLException {
    if (!(elements instanceof Object[] objects)) {
      // A driver returning primitives (int[]): box them one by one.
      int length = java.lang.reflect.Array.getLength(elements);
      List<@Nullable Object> list = new ArrayList<>(length);
      for (int i = 0; i < length; i++) {
        list.add(element(java.lang.reflect.Array.get(elements, i), withZone));
      }
      return Collections.unmodifiableList(list);
    }
    List<@Nullable Object> list = new ArrayList<>(objects.length);
    for (Object element : objects) {
      list.add(element(element, withZone));
    }
    return Collections.unmodifiableList(list);
  }

  private static @Nullable Object element(@Nullable Object element, boolean withZone)
      throws SQLException {
    return switch (element) {
      case null -> null;
      case java.sql.Timestamp timestamp ->
          // The driver made the instant a Timestamp; only the column type says which it was.
          withZone
              ? OffsetDateTime.ofInstant(timestamp.toInstant(), ZoneOffset.UTC)
              : timestamp.toLocalDateTime();
      case java.sql.Date date -> date.toLocalDate();
      case java.sql.Time time -> time.toLocalTime();
      case Short number -> number.intValue();
      case Byte number -> number.intValue();
      case String text -> text;
      case Number number -> number;
      case Boolean bool -> bool;
      case UUID uuid -> uuid;
      case byte[] bytes -> bytes;
      case java.time.temporal.Temporal temporal -> temporal;
      case Array nested -> array(nested);
      case Object[] nested -> list(nested, withZone);
      // Vendor types (PostgreSQL's json, inet, enums arrive as its PGobject): their text, as
      // outside arrays.
      default -> element.toString();
    };
  }
}
