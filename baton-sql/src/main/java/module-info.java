/**
 * The sql command module (ids 100-119): queries, statements and transactions on JDBC with a
 * HikariCP pool; H2 embedded by default, PostgreSQL and any JDBC database by configuration.
 */
module dev.baton.sql {
  requires transitive dev.baton.modules;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;

  exports dev.baton.sql;
}
