/**
 * The sql command module (ids 100-119): queries, statements and transactions on JDBC with a
 * HikariCP pool; H2 embedded by default, PostgreSQL and any JDBC database by configuration.
 *
 * <p>API: {@code dev.baton.sql} ({@link dev.baton.sql.Sql} commands, {@link
 * dev.baton.sql.SqlModule}, the {@link dev.baton.sql.Databases} component and the typed errors).
 * JDBC drivers other than H2 are the user's: put them on the class path or module path.
 */
@SuppressWarnings(
    "requires-automatic") // H2 has no module-info (Automatic-Module-Name com.h2database)
module dev.baton.sql {
  requires transitive dev.baton.modules;
  requires transitive java.sql;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;
  requires com.zaxxer.hikari;
  requires com.h2database;

  exports dev.baton.sql;
}
