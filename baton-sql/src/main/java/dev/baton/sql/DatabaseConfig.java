package dev.baton.sql;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * How to reach one database and how big its pool is: a JDBC URL (the driver found through {@link
 * java.sql.DriverManager}, so any driver on the class or module path works) or a {@link DataSource}
 * you made, pooled by HikariCP under a name commands use. Immutable; built with {@link
 * #builder(String)}, whose setters reject bad values naming them.
 *
 * <pre>{@code
 * DatabaseConfig pg = DatabaseConfig.builder("main")
 *     .jdbcUrl("jdbc:postgresql://127.0.0.1:5432/app")
 *     .username("app").password(secret)
 *     .maximumPoolSize(20)
 *     .build();
 * }</pre>
 */
public final class DatabaseConfig {
  /** The default pool size: 10 connections. */
  public static final int DEFAULT_POOL_SIZE = 10;

  /** How long a command waits for a free connection by default: 30 s. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final @Nullable String jdbcUrl;
  private final @Nullable DataSource dataSource;
  private final @Nullable String username;
  private final @Nullable String password;
  private final int maximumPoolSize;
  private final Duration connectionTimeout;
  private final Map<String, String> properties;
  private final boolean failFast;

  private DatabaseConfig(Builder builder) {
    this.name = builder.name;
    this.jdbcUrl = builder.jdbcUrl;
    this.dataSource = builder.dataSource;
    this.username = builder.username;
    this.password = builder.password;
    this.maximumPoolSize = builder.maximumPoolSize;
    this.connectionTimeout = builder.connectionTimeout;
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(builder.properties));
    this.failFast = builder.failFast;
  }

  /**
   * Starts a configuration for the database commands call {@code name}.
   *
   * @throws IllegalArgumentException if {@code name} is not a database name ({@code
   *     [A-Za-z0-9][A-Za-z0-9._-]{0,63}})
   */
  public static Builder builder(String name) {
    return new Builder(Sql.checkDatabase(name));
  }

  /**
   * An H2 database in this JVM's memory called {@code name}, private to the pool (a unique H2 name
   * is chosen), kept while the pool lives and dropped when it closes.
   */
  public static DatabaseConfig h2InMemory(String name) {
    return builder(name).jdbcUrl(Databases.uniqueH2Url()).build();
  }

  /** The name commands use. */
  public String name() {
    return name;
  }

  /** The JDBC URL, or null when a {@link #dataSource()} is given. */
  public @Nullable String jdbcUrl() {
    return jdbcUrl;
  }

  /** The data source HikariCP pools, or null when a {@link #jdbcUrl()} is given. */
  public @Nullable DataSource dataSource() {
    return dataSource;
  }

  /** The user name, or null. */
  public @Nullable String username() {
    return username;
  }

  /** The password, or null. */
  public @Nullable String password() {
    return password;
  }

  /** The most connections the pool holds. */
  public int maximumPoolSize() {
    return maximumPoolSize;
  }

  /** How long a command waits for a free connection before failing with {@link SqlException}. */
  public Duration connectionTimeout() {
    return connectionTimeout;
  }

  /** Driver properties (for example PostgreSQL's {@code ApplicationName}). */
  public Map<String, String> properties() {
    return properties;
  }

  /**
   * Whether the node's start fails when the database cannot be reached (default false: the pool
   * starts empty and commands fail with {@link SqlException} until the database is up).
   */
  public boolean failFast() {
    return failFast;
  }

  @Override
  public String toString() {
    return "DatabaseConfig["
        + name
        + ", "
        + (jdbcUrl != null ? jdbcUrl : "dataSource " + dataSource)
        + ", pool "
        + maximumPoolSize
        + "]";
  }

  /** Builds a {@link DatabaseConfig}; not thread-safe. */
  public static final class Builder {
    private final String name;
    private @Nullable String jdbcUrl;
    private @Nullable DataSource dataSource;
    private @Nullable String username;
    private @Nullable String password;
    private int maximumPoolSize = DEFAULT_POOL_SIZE;
    private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private boolean failFast;

    private Builder(String name) {
      this.name = name;
    }

    /** The JDBC URL, for example {@code jdbc:postgresql://127.0.0.1:5432/app}. */
    public Builder jdbcUrl(String jdbcUrl) {
      requireNonNull(jdbcUrl, "jdbcUrl");
      if (!jdbcUrl.startsWith("jdbc:")) {
        throw new IllegalArgumentException("jdbcUrl must start with 'jdbc:', was " + jdbcUrl);
      }
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /** A data source to pool instead of a URL (HikariCP wraps it). */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = requireNonNull(dataSource, "dataSource");
      return this;
    }

    /** The user name. */
    public Builder username(String username) {
      this.username = requireNonNull(username, "username");
      return this;
    }

    /** The password. */
    public Builder password(String password) {
      this.password = requireNonNull(password, "password");
      return this;
    }

    /** The most connections the pool holds, 1 to 1000. */
    public Builder maximumPoolSize(int maximumPoolSize) {
      if (maximumPoolSize < 1 || maximumPoolSize > 1000) {
        throw new IllegalArgumentException(
            "maximumPoolSize must be 1 to 1000, was " + maximumPoolSize);
      }
      this.maximumPoolSize = maximumPoolSize;
      return this;
    }

    /** How long a command waits for a free connection, 250 ms or more (HikariCP's minimum). */
    public Builder connectionTimeout(Duration connectionTimeout) {
      requireNonNull(connectionTimeout, "connectionTimeout");
      if (connectionTimeout.compareTo(Duration.ofMillis(250)) < 0) {
        throw new IllegalArgumentException(
            "connectionTimeout must be 250 ms or more, was " + connectionTimeout);
      }
      this.connectionTimeout = connectionTimeout;
      return this;
    }

    /** A driver property. */
    public Builder property(String key, String value) {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
      properties.put(key, value);
      return this;
    }

    /** Whether the node's start fails when the database cannot be reached. */
    public Builder failFast(boolean failFast) {
      this.failFast = failFast;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalStateException if neither or both of a JDBC URL and a data source are given
     */
    public DatabaseConfig build() {
      if ((jdbcUrl == null) == (dataSource == null)) {
        throw new IllegalStateException(
            "database '" + name + "': give either a jdbcUrl or a dataSource");
      }
      return new DatabaseConfig(this);
    }
  }
}
