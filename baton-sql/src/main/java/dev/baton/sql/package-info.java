/**
 * The sql command module (ids 100-119): queries, statements and transactions on JDBC with a
 * HikariCP pool; H2 embedded by default, PostgreSQL and any JDBC database by configuration.
 */
@NullMarked
package dev.baton.sql;

import org.jspecify.annotations.NullMarked;
