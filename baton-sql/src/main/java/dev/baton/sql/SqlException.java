package dev.baton.sql;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * The database (or its driver, or the pool) refused or failed a statement: bad SQL, a constraint
 * violation, a serialization failure, no connection within the pool's timeout, a lost connection.
 * Carries the standard {@link #sqlState()} (tell kinds apart by it: {@link
 * #isConstraintViolation()} is class {@code 23}) and the vendor's code; the message names the
 * database, the start of the statement and the driver's message; the cause is the driver's {@link
 * SQLException}.
 */
public final class SqlException extends DatabaseException {
  private static final int STATEMENT_PREFIX = 80;

  private final @Nullable String sqlState;
  private final int vendorCode;
  private final String statement;

  /**
   * @param database the database's name
   * @param statement the statement that failed (only its start goes into the message), or a
   *     description such as {@code "commit"}
   * @param cause the driver's error
   */
  public SqlException(String database, String statement, SQLException cause) {
    super(database, message(database, statement, cause), cause);
    this.sqlState = cause.getSQLState();
    this.vendorCode = cause.getErrorCode();
    this.statement = statement;
  }

  private static String message(String database, String statement, SQLException cause) {
    String start =
        statement.length() <= STATEMENT_PREFIX
            ? statement
            : statement.substring(0, STATEMENT_PREFIX) + "...";
    return "database '"
        + database
        + "': "
        + start.strip().replaceAll("\\s+", " ")
        + " failed"
        + (cause.getSQLState() == null ? "" : " (SQLState " + cause.getSQLState() + ")")
        + ": "
        + cause.getMessage();
  }

  /** The SQLState (five characters: class and subclass), or null if the driver gave none. */
  public @Nullable String sqlState() {
    return sqlState;
  }

  /** The vendor's error code (0 if none). */
  public int vendorCode() {
    return vendorCode;
  }

  /** The statement that failed (in full), or what was being done ({@code "commit"}). */
  public String statement() {
    return statement;
  }

  /**
   * Whether a constraint refused the change: SQLState class {@code 23} (unique, foreign key, not
   * null, check).
   */
  public boolean isConstraintViolation() {
    return sqlState != null && sqlState.startsWith("23");
  }

  /** Whether a unique or primary key constraint refused it: SQLState {@code 23505}. */
  public boolean isUniqueViolation() {
    return "23505".equals(sqlState);
  }

  /**
   * Whether the transaction may succeed if run again: SQLState class {@code 40} (serialization
   * failure {@code 40001}, deadlock {@code 40P01}).
   */
  public boolean isTransientTransactionFailure() {
    return sqlState != null && sqlState.startsWith("40");
  }
}
