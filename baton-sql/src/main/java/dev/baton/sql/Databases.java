package dev.baton.sql;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.baton.boot.Component;
import dev.baton.boot.Key;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's named databases, each a HikariCP connection pool, shared under {@link #KEY}: the sql
 * module resolves each command's database here. The set of databases is fixed at construction, so
 * this class is thread-safe; the pools are HikariCP's (thread-safe).
 *
 * <p>Boot it with {@link #component()} (one embedded H2 in-memory database, {@value
 * Sql#DEFAULT_DATABASE}) or {@link #component(DatabaseConfig...)} (yours; a {@value
 * Sql#DEFAULT_DATABASE} H2 in-memory database is added unless one of them has that name). The
 * component owns the pools: it closes them when the node stops (an in-memory H2 database it made is
 * shut down, so its data goes).
 */
public final class Databases {
  /** The key the node shares its databases under. */
  public static final Key<Databases> KEY = Key.of("sql.databases", Databases.class);

  /** The name of the component that provides {@link #KEY}. */
  public static final String COMPONENT_NAME = "sql.databases";

  private static final Logger LOG = LoggerFactory.getLogger(Databases.class);

  /** How the URLs of the in-memory H2 databases this class makes begin. */
  private static final String OWN_H2_PREFIX = "jdbc:h2:mem:baton-";

  /** H2's error code for a database that {@code IFEXISTS=TRUE} did not find. */
  private static final int H2_DATABASE_NOT_FOUND = 90146;

  private final Map<String, HikariDataSource> byName;

  /**
   * Opens a pool per configuration (no connection is made yet unless a configuration {@link
   * DatabaseConfig#failFast()}), adding an H2 in-memory {@value Sql#DEFAULT_DATABASE} database
   * unless one is configured under that name.
   *
   * @throws IllegalArgumentException if two configurations have the same name
   * @throws RuntimeException HikariCP's, if a fail-fast database cannot be reached
   */
  public Databases(List<DatabaseConfig> configs) {
    List<DatabaseConfig> all = new ArrayList<>(configs);
    if (all.stream().noneMatch(c -> c.name().equals(Sql.DEFAULT_DATABASE))) {
      all.add(DatabaseConfig.h2InMemory(Sql.DEFAULT_DATABASE));
    }
    Map<String, HikariDataSource> map = new LinkedHashMap<>();
    try {
      for (DatabaseConfig config : all) {
        requireNonNull(config, "config");
        if (map.containsKey(config.name())) {
          throw new IllegalArgumentException("two databases are named '" + config.name() + "'");
        }
        map.put(config.name(), open(config));
      }
    } catch (RuntimeException e) {
      map.values().forEach(HikariDataSource::close);
      throw e;
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  private static HikariDataSource open(DatabaseConfig config) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("baton-sql-" + config.name());
    DataSource given = config.dataSource();
    if (given != null) {
      hikari.setDataSource(given);
    } else {
      hikari.setJdbcUrl(requireNonNull(config.jdbcUrl(), "jdbcUrl"));
    }
    if (config.username() != null) {
      hikari.setUsername(config.username());
    }
    if (config.password() != null) {
      hikari.setPassword(config.password());
    }
    config.properties().forEach(hikari::addDataSourceProperty);
    hikari.setMaximumPoolSize(config.maximumPoolSize());
    hikari.setMinimumIdle(Math.min(2, config.maximumPoolSize()));
    hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
    hikari.setInitializationFailTimeout(config.failFast() ? 1 : -1);
    return new HikariDataSource(hikari);
  }

  /** A fresh H2 in-memory URL, kept open until {@code SHUTDOWN} (which {@link #closeAll} sends). */
  static String uniqueH2Url() {
    return OWN_H2_PREFIX + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  }

  /**
   * The pooled data source of {@code name}, for code outside processes (migrations, set-up). Its
   * connections count against the same pool; close each one you take.
   *
   * @throws DatabaseNotFoundException naming the databases there are, if there is none
   */
  public DataSource dataSource(String name) {
    return pool(name);
  }

  /** The pool of {@code name}; see {@link #dataSource}. */
  HikariDataSource pool(String name) {
    HikariDataSource pool = byName.get(name);
    if (pool == null) {
      throw new DatabaseNotFoundException(name, byName.keySet());
    }
    return pool;
  }

  /**
   * How many of {@code name}'s connections are in use now (taken from the pool, not yet returned):
   * by a running command, or held by an open transaction. 0 once every command has finished and
   * every transaction has ended.
   *
   * @throws DatabaseNotFoundException if there is no such database
   */
  public int activeConnections(String name) {
    HikariPoolMXBean bean = pool(name).getHikariPoolMXBean();
    return bean == null ? 0 : bean.getActiveConnections();
  }

  /** How many connections {@code name}'s pool holds (in use and idle). */
  public int totalConnections(String name) {
    HikariPoolMXBean bean = pool(name).getHikariPoolMXBean();
    return bean == null ? 0 : bean.getTotalConnections();
  }

  /** The databases' names, in configuration order ({@value Sql#DEFAULT_DATABASE} last if added). */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /**
   * Closes every pool (in-use connections are closed as they are returned), then shuts down the
   * in-memory H2 databases this class made; logs (does not throw) a failure, so each one gets
   * closed.
   *
   * <p>The pool is closed before the database is shut down, and the {@code SHUTDOWN} goes over a
   * connection of its own, outside the pool. Shutting down over a pooled connection and evicting it
   * while the pool was still open raced with the pool's close: the eviction's task on HikariCP's
   * closer thread could see the pool still running and call its synchronized {@code fillPool} just
   * after {@code shutdown} (synchronized on the same pool) had started waiting for that closer
   * thread, so the close hung for HikariCP's 10 s ("Timed-out waiting for close connection executor
   * to shutdown"); measured once in about 300 start/close cycles under CPU load. With the pool
   * closed first nothing of the pool's runs during the {@code SHUTDOWN}.
   */
  void closeAll() {
    for (Map.Entry<String, HikariDataSource> entry : byName.entrySet()) {
      HikariDataSource pool = entry.getValue();
      try {
        pool.close();
      } catch (RuntimeException e) {
        LOG.warn("closing database '{}' failed", entry.getKey(), e);
      }
      String url = pool.getJdbcUrl();
      if (url != null && url.startsWith(OWN_H2_PREFIX)) {
        shutDownH2(entry.getKey(), url, pool.getUsername(), pool.getPassword());
      }
    }
  }

  /**
   * Shuts down an in-memory H2 database kept open by {@code DB_CLOSE_DELAY=-1}, if it exists (a
   * pool that never connected made none: {@code IFEXISTS} keeps this from creating one).
   */
  private static void shutDownH2(
      String name, String url, @Nullable String user, @Nullable String password) {
    try (Connection connection =
            DriverManager.getConnection(
                url + ";IFEXISTS=TRUE",
                user == null ? "" : user,
                password == null ? "" : password);
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN");
    } catch (SQLException e) {
      if (e.getErrorCode() != H2_DATABASE_NOT_FOUND) {
        LOG.warn("shutting down H2 database '{}' failed", name, e);
      }
    }
  }

  /**
   * A component providing one H2 in-memory database, {@value Sql#DEFAULT_DATABASE}, which it closes
   * when the node stops.
   */
  public static Component component() {
    return component(new DatabaseConfig[0]);
  }

  /**
   * A component providing the databases {@code configs} describe (plus an H2 in-memory {@value
   * Sql#DEFAULT_DATABASE} unless one of them is called that), opened when the node loads and closed
   * when it stops.
   */
  public static Component component(DatabaseConfig... configs) {
    List<DatabaseConfig> given = List.of(configs);
    AtomicReference<@Nullable Databases> loaded = new AtomicReference<>();
    return Component.named(COMPONENT_NAME)
        .onLoad(
            context -> {
              Databases databases = new Databases(given);
              loaded.set(databases);
              return context.with(KEY, databases);
            })
        .onStop(
            context -> {
              Databases databases = loaded.getAndSet(null);
              if (databases != null) {
                databases.closeAll();
              }
            })
        .build();
  }
}
