package dev.baton.sql;

/**
 * A query's result had more rows than its limit ({@code maxRows}, default {@link
 * Sql#DEFAULT_MAX_ROWS}); no rows are returned. Narrow the query ({@code WHERE}, {@code LIMIT},
 * page by key) or raise the limit with {@code withMaxRows}.
 */
public final class ResultTooLargeException extends DatabaseException {
  private final int maxRows;

  /**
   * @param database the database
   * @param statement the query
   * @param maxRows the limit it passed
   */
  public ResultTooLargeException(String database, String statement, int maxRows) {
    super(
        database,
        "database '"
            + database
            + "': "
            + (statement.length() <= 80 ? statement : statement.substring(0, 80) + "...")
            + " returned more than its limit of "
            + maxRows
            + " rows; narrow the query (WHERE, LIMIT, page by key) or raise it with withMaxRows",
        null);
    this.maxRows = maxRows;
  }

  /** The limit the result passed. */
  public int maxRows() {
    return maxRows;
  }
}
