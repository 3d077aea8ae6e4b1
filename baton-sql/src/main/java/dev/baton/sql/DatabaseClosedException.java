package dev.baton.sql;

/** The sql module or the database's pool has stopped (the node is shutting down). */
public final class DatabaseClosedException extends DatabaseException {
  /**
   * @param database the database
   */
  public DatabaseClosedException(String database) {
    super(database, "database '" + database + "' is closed: the node is stopping", null);
  }
}
