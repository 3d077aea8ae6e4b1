package dev.baton.sql;

/** What a {@link Sql.StatementId} stands for. Immutable. */
sealed interface PreparedSql {
  /** The statement's SQL. */
  String sql();

  /** Which generated keys {@link Sql.StmtExecute} returns. */
  Sql.GeneratedKeys keys();

  /** How many {@code ?} markers it has. */
  int parameterCount();

  /**
   * A statement outside a transaction: checked once when prepared, then prepared again on whichever
   * pooled connection runs it (drivers cache prepared statements per connection), so it holds no
   * connection.
   */
  record OnPool(String database, String sql, Sql.GeneratedKeys keys, int parameterCount)
      implements PreparedSql {}

  /**
   * A statement prepared on a transaction's connection, kept open there until the transaction ends.
   */
  record InTransaction(
      Transaction transaction, long handle, String sql, Sql.GeneratedKeys keys, int parameterCount)
      implements PreparedSql {}
}
