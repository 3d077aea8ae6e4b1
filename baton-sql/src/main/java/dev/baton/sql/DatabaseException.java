package dev.baton.sql;

import dev.baton.modules.ModuleException;
import org.jspecify.annotations.Nullable;

/** The root of the sql module's errors; each names the database it concerns. */
public abstract class DatabaseException extends ModuleException {
  private final String database;

  protected DatabaseException(String database, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.database = database;
  }

  /** The database's name in {@link Databases}. */
  public String database() {
    return database;
  }
}
