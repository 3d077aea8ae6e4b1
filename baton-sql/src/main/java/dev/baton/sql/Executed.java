package dev.baton.sql;

import static java.util.Objects.requireNonNull;

/**
 * What an update did.
 *
 * @param rowsAffected the rows it inserted, updated or deleted (0 for DDL)
 * @param generatedKeys the keys it generated, if they were asked for ({@link Sql.GeneratedKeys});
 *     else {@link Rows#EMPTY}
 */
public record Executed(long rowsAffected, Rows generatedKeys) {
  /** Requires the keys. */
  public Executed {
    requireNonNull(generatedKeys, "generatedKeys");
  }
}
