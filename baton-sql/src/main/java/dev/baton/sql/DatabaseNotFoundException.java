package dev.baton.sql;

import java.util.Collection;
import java.util.List;

/** A command named a database the node's {@link Databases} does not have. */
public final class DatabaseNotFoundException extends DatabaseException {
  private final List<String> known;

  /**
   * @param database the name asked for
   * @param known the databases there are
   */
  public DatabaseNotFoundException(String database, Collection<String> known) {
    super(
        database,
        "no database '"
            + database
            + "' is configured; the node has "
            + known
            + " (register it with Databases.component(DatabaseConfig...))",
        null);
    this.known = List.copyOf(known);
  }

  /** The databases there are. */
  public List<String> known() {
    return known;
  }
}
