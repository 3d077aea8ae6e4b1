package dev.baton.sql;

import static java.util.Objects.requireNonNull;

import java.sql.JDBCType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * A query's result: its columns and its rows, read completely before the command completed (no
 * cursor stays open). Immutable, except that a {@code byte[]} value is the array itself (do not
 * change it if the rows are shared).
 *
 * <p><b>Values</b> are converted by column type, the same way on every database:
 *
 * <ul>
 *   <li>CHAR, VARCHAR, NCHAR, LONGVARCHAR, CLOB, and any type the module does not know (PostgreSQL
 *       {@code json}, {@code inet}, enums, ...): {@link String} (the database's text form);
 *   <li>TINYINT, SMALLINT, INTEGER: {@link Integer}; BIGINT: {@link Long}; REAL: {@link Float};
 *       FLOAT, DOUBLE: {@link Double}; NUMERIC, DECIMAL: {@link java.math.BigDecimal};
 *   <li>BOOLEAN, BIT: {@link Boolean};
 *   <li>BINARY, VARBINARY, LONGVARBINARY, BLOB (PostgreSQL {@code bytea}): {@code byte[]};
 *   <li>DATE: {@link java.time.LocalDate}; TIME: {@link java.time.LocalTime}; TIMESTAMP: {@link
 *       java.time.LocalDateTime}; TIMESTAMP WITH TIME ZONE (PostgreSQL {@code timestamptz}): {@link
 *       java.time.OffsetDateTime}; TIME WITH TIME ZONE: {@link java.time.OffsetTime};
 *   <li>UUID (H2 and PostgreSQL {@code uuid}): {@link java.util.UUID};
 *   <li>ARRAY: an unmodifiable {@link List} of its elements, converted the same way where the
 *       driver gives JDBC date/time types;
 *   <li>SQL {@code NULL}: {@code null}, whatever the type.
 * </ul>
 *
 * @param columns the columns, in select order
 * @param rows the rows; each has one value per column
 */
public record Rows(List<Column> columns, List<List<@Nullable Object>> rows) {
  /** No columns, no rows. */
  public static final Rows EMPTY = new Rows(List.of(), List.of());

  /**
   * One column of a result.
   *
   * @param name the column's label as the database reports it (H2 upper-cases unquoted names,
   *     PostgreSQL lower-cases them; {@link Rows#columnIndex} matches either)
   * @param type its JDBC type ({@link JDBCType#OTHER} for a vendor type)
   * @param typeName the database's own name for the type, for example {@code int4} or {@code
   *     CHARACTER VARYING}
   */
  public record Column(String name, JDBCType type, String typeName) {
    /** Requires every field. */
    public Column {
      requireNonNull(name, "name");
      requireNonNull(type, "type");
      requireNonNull(typeName, "typeName");
    }
  }

  /** Copies the lists; every row must have one value per column. */
  public Rows {
    columns = List.copyOf(requireNonNull(columns, "columns"));
    requireNonNull(rows, "rows");
    List<List<@Nullable Object>> copy = new ArrayList<>(rows.size());
    for (List<@Nullable Object> row : rows) {
      if (row.size() != columns.size()) {
        throw new IllegalArgumentException(
            "a row has " + row.size() + " values for " + columns.size() + " columns");
      }
      copy.add(Collections.unmodifiableList(new ArrayList<>(row)));
    }
    rows = Collections.unmodifiableList(copy);
  }

  /** The number of rows. */
  public int size() {
    return rows.size();
  }

  /** Whether there are no rows. */
  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** The columns' names, in order. */
  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /**
   * The index of the column called {@code name}: an exact match first, else one that differs only
   * in case (so {@code "id"} finds H2's {@code ID}).
   *
   * @throws NoSuchElementException naming the columns there are, if there is none
   */
  public int columnIndex(String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    throw new NoSuchElementException("no column '" + name + "' in " + columnNames());
  }

  /** The value in row {@code row} (from 0), column {@code column} (see {@link #columnIndex}). */
  public @Nullable Object get(int row, String column) {
    return rows.get(row).get(columnIndex(column));
  }

  /**
   * The only value of a one-row, one-column result (a {@code count(*)}, a {@code RETURNING id}).
   *
   * @throws IllegalStateException if the result is not one row of one column
   */
  public @Nullable Object value() {
    if (rows.size() != 1 || columns.size() != 1) {
      throw new IllegalStateException(
          "expected one row of one column, got " + rows.size() + " rows of " + columns.size());
    }
    return rows.getFirst().getFirst();
  }
}
