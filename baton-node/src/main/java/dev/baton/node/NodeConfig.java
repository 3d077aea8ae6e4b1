package dev.baton.node;

import static java.util.Objects.requireNonNull;

import dev.baton.dashboard.DashboardSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * A node's configuration: immutable, read from YAML ({@link #load(Path)}, {@link #parse}) or built
 * in code ({@link #builder()}), with defaults that need no server: local tasks, every command
 * module, an in-memory store, H2, a local object store under the temp directory, and the dashboard
 * on 127.0.0.1:7070. docs/node.md lists every key.
 *
 * <p>Every section validates itself when built, so a configuration that exists is usable; a bad
 * value fails with a {@link NodeConfigException} naming the dotted key, the value, and what would
 * be accepted.
 *
 * @param name the node's name (in metrics, the dashboard and worker ids)
 * @param scheduler the process scheduler's settings
 * @param tasks the task app's settings
 * @param modules which command modules run, and their backends
 * @param dashboard where the dashboard listens, if at all
 * @param metrics whether the node keeps Micrometer metrics
 * @param extensions the names of the {@link dev.baton.node.spi.NodeExtension}s to install, found
 *     with {@link java.util.ServiceLoader}
 */
public record NodeConfig(
    String name,
    SchedulerConfig scheduler,
    TasksConfig tasks,
    ModulesConfig modules,
    DashboardConfig dashboard,
    MetricsConfig metrics,
    List<String> extensions) {

  /** The default node name. */
  public static final String DEFAULT_NAME = "baton";

  /** The command module families a node runs unless {@code modules.disabled} names them. */
  public static final List<String> FAMILIES =
      List.of(
          "process",
          "clock",
          "event",
          "store",
          "function",
          "exec",
          "http",
          "websocket",
          "stream",
          "sql",
          "security",
          "cloudstorage",
          "eval",
          "workflow",
          "contract");

  private static final String BROKER_FORMS =
      "redis://host:port or amqp://user:pass@host:port/vhost";

  public NodeConfig {
    requireNonNull(name, "name");
    if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
      throw new NodeConfigException(
          "name: \"" + name + "\" is not a node name; use letters, digits, '.', '_' or '-'");
    }
    requireNonNull(scheduler, "scheduler");
    requireNonNull(tasks, "tasks");
    requireNonNull(modules, "modules");
    requireNonNull(dashboard, "dashboard");
    requireNonNull(metrics, "metrics");
    extensions = List.copyOf(new LinkedHashSet<>(extensions));
  }

  /** The embedded default: see the class comment. */
  public static NodeConfig defaults() {
    return builder().build();
  }

  /** Starts from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values, to change some of them. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.name = name;
    builder.scheduler = scheduler;
    builder.tasks = tasks;
    builder.modules = modules;
    builder.dashboard = dashboard;
    builder.metrics = metrics;
    builder.extensions = new ArrayList<>(extensions);
    return builder;
  }

  /**
   * Reads a YAML file.
   *
   * @throws NodeConfigException naming the key and the problem, or the file that cannot be read
   */
  public static NodeConfig load(Path file) {
    requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new NodeConfigException(
          file
              + ": cannot read the configuration file ("
              + e
              + "); check the path and its"
              + " permissions");
    }
    return parse(text, file.toString());
  }

  /** Reads YAML text, substituting {@code ${VAR}} from the process environment. */
  public static NodeConfig parse(String yaml, String source) {
    return parse(yaml, source, System::getenv);
  }

  /**
   * Reads YAML text, substituting {@code ${VAR}} and {@code ${VAR:-default}} in string values from
   * {@code env}.
   *
   * @param source names the text in messages (a file name)
   * @throws NodeConfigException naming the key and the problem
   */
  public static NodeConfig parse(
      String yaml, String source, Function<String, @Nullable String> env) {
    requireNonNull(yaml, "yaml");
    requireNonNull(source, "source");
    requireNonNull(env, "env");
    Object document;
    try {
      document = new Load(LoadSettings.builder().setLabel(source).build()).loadFromString(yaml);
    } catch (YamlEngineException e) {
      throw new NodeConfigException(source + ": not valid YAML: " + e.getMessage());
    }
    try {
      return read(ConfigTree.root(document, source, env));
    } catch (NodeConfigException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(source + ": ")) {
        throw e;
      }
      throw new NodeConfigException(source + ": " + e.getMessage());
    }
  }

  private static NodeConfig read(ConfigTree root) {
    NodeConfig d = defaults();
    Builder builder = builder().name(root.string("name", d.name()));

    ConfigTree s = root.section("scheduler");
    builder.scheduler(
        new SchedulerConfig(
            s.integer(
                "workers", d.scheduler().workers(), 1, 4096, "a number of threads from 1 to 4096"),
            s.integer(
                "maxProcesses",
                d.scheduler().maxProcesses(),
                1,
                Integer.MAX_VALUE,
                "a number of processes of at least 1"),
            s.integer(
                "mailboxCapacity",
                d.scheduler().mailboxCapacity(),
                1,
                Integer.MAX_VALUE,
                "a number of messages of at least 1"),
            s.duration("shutdownDeadline", d.scheduler().shutdownDeadline())));
    s.finish();

    ConfigTree t = root.section("tasks");
    boolean enabled = t.bool("enabled", true);
    String mode = t.choice("mode", "local", List.of("local", "remote"));
    ConfigTree broker = t.section("broker");
    URI brokerUri =
        broker.uri(
            "uri", List.of("redis", "rediss", "amqp", "amqps"), "a broker URI", BROKER_FORMS);
    broker.finish();
    ConfigTree backend = t.section("backend");
    URI backendUri =
        backend.uri(
            "uri", List.of("redis", "rediss", "amqp", "amqps"), "a backend URI", BROKER_FORMS);
    backend.finish();
    ConfigTree workers = t.section("workers");
    Map<String, Integer> allocation = new LinkedHashMap<>();
    for (String task : workers.keys()) {
      allocation.put(
          task, workers.integer(task, 1, 1, 10_000, "a number of workers from 1 to 10000"));
    }
    workers.finish();
    builder.tasks(
        new TasksConfig(
            enabled,
            mode.equals("remote") ? TasksConfig.Mode.REMOTE : TasksConfig.Mode.LOCAL,
            brokerUri,
            backendUri,
            allocation,
            t.duration("shutdownGrace", d.tasks().shutdownGrace())));
    t.finish();

    ConfigTree m = root.section("modules");
    List<String> disabled = m.strings("disabled");
    for (int i = 0; i < disabled.size(); i++) {
      if (!FAMILIES.contains(disabled.get(i))) {
        throw new NodeConfigException(
            "modules.disabled["
                + i
                + "]: \""
                + disabled.get(i)
                + "\" is not a module family;"
                + " use any of "
                + String.join(", ", FAMILIES));
      }
    }
    ConfigTree store = m.section("store");
    String storeBackend = store.choice("backend", "memory", List.of("memory", "redis"));
    URI storeUri =
        store.uri("uri", List.of("redis", "rediss"), "a Redis URI", "redis://host:port[/db]");
    store.finish();
    ConfigTree sql = m.section("sql");
    ConfigTree databases = sql.section("databases");
    List<DatabaseConfig> dbs = new ArrayList<>();
    for (String db : databases.keys()) {
      ConfigTree one = databases.section(db);
      dbs.add(
          new DatabaseConfig(
              db,
              one.string("url", "jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1"),
              one.optionalString("user"),
              one.optionalString("password"),
              one.integer("poolSize", 10, 1, 1000, "a pool size from 1 to 1000")));
      one.finish();
    }
    databases.finish();
    sql.finish();
    ConfigTree cloud = m.section("cloudstorage");
    String root2 = cloud.optionalString("root");
    cloud.finish();
    ConfigTree sec = m.section("security");
    SecurityConfig security =
        new SecurityConfig(
            sec.string("store", d.modules().security().store()),
            sec.optionalString("issuer"),
            sec.optionalString("audience"),
            sec.optionalString("hmacKey"));
    sec.finish();
    ConfigTree wf = m.section("workflow");
    String journal = wf.choice("journal", "memory", List.of("memory", "postgres"));
    WorkflowConfig workflow =
        new WorkflowConfig(
            journal.equals("postgres")
                ? WorkflowConfig.Journal.POSTGRES
                : WorkflowConfig.Journal.MEMORY,
            wf.optionalString("url"),
            wf.string("user", "postgres"),
            wf.optionalString("password"),
            wf.string("schema", "baton_workflow"));
    wf.finish();
    builder.modules(
        new ModulesConfig(
            new LinkedHashSet<>(disabled),
            new StoreConfig(
                storeBackend.equals("redis")
                    ? StoreConfig.Backend.REDIS
                    : StoreConfig.Backend.MEMORY,
                storeUri),
            dbs,
            root2 == null || root2.isBlank() ? null : Path.of(root2),
            security,
            workflow));
    m.finish();

    ConfigTree db = root.section("dashboard");
    builder.dashboard(
        new DashboardConfig(
            db.bool("enabled", d.dashboard().enabled()),
            db.string("bind", d.dashboard().bind()),
            db.integer("port", d.dashboard().port(), 0, 65535, "0 (any free port) to 65535"),
            emptyToNull(db.optionalString("token"))));
    db.finish();

    ConfigTree mt = root.section("metrics");
    builder.metrics(new MetricsConfig(mt.bool("enabled", true)));
    mt.finish();

    builder.extensions(root.strings("extensions"));
    root.finish();
    return builder.build();
  }

  private static @Nullable String emptyToNull(@Nullable String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  /** Whether the module family {@code family} runs on this node. */
  public boolean runs(String family) {
    return !modules.disabled().contains(family);
  }

  // ---- sections ----

  /**
   * The process scheduler.
   *
   * @param workers worker threads; default: the available processors
   * @param maxProcesses the most processes alive at once; default: no limit ({@code
   *     Integer.MAX_VALUE})
   * @param mailboxCapacity messages that may wait in one mailbox; default 10,000
   * @param shutdownDeadline how long close() waits for cancelled processes before terminating them,
   *     and again after; default 10 s
   */
  public record SchedulerConfig(
      int workers, int maxProcesses, int mailboxCapacity, Duration shutdownDeadline) {
    public SchedulerConfig {
      positive("scheduler.workers", workers);
      positive("scheduler.maxProcesses", maxProcesses);
      positive("scheduler.mailboxCapacity", mailboxCapacity);
      nonNegative("scheduler.shutdownDeadline", shutdownDeadline);
    }

    /** The defaults. */
    public static SchedulerConfig defaults() {
      return new SchedulerConfig(
          Runtime.getRuntime().availableProcessors(),
          Integer.MAX_VALUE,
          10_000,
          Duration.ofSeconds(10));
    }
  }

  /**
   * The task app.
   *
   * @param enabled whether the node has a task app (the function module needs one)
   * @param mode local (in-process queues) or remote (a broker and a backend)
   * @param broker the broker's URI in remote mode: {@code redis://}, {@code rediss://}, {@code
   *     amqp://} or {@code amqps://}
   * @param backend the result backend's URI; defaults to the broker's
   * @param workers workers allocated per task name once extensions have registered the tasks
   * @param shutdownGrace how long close() lets running attempts finish before interrupting them
   *     (their tasks stay in the broker and are delivered again)
   */
  public record TasksConfig(
      boolean enabled,
      Mode mode,
      @Nullable URI broker,
      @Nullable URI backend,
      Map<String, Integer> workers,
      Duration shutdownGrace) {

    /** Where tasks travel. */
    public enum Mode {
      /** In-process queues: no server. */
      LOCAL,
      /** A Redis or RabbitMQ broker. */
      REMOTE
    }

    public TasksConfig {
      requireNonNull(mode, "mode");
      workers = Map.copyOf(workers);
      workers.forEach((task, count) -> positive("tasks.workers." + task, count));
      nonNegative("tasks.shutdownGrace", shutdownGrace);
      if (enabled && mode == Mode.REMOTE && broker == null) {
        throw new NodeConfigException(
            "tasks.broker.uri: remote mode needs a broker; set it to " + BROKER_FORMS);
      }
      if (broker != null) {
        checkBroker("tasks.broker.uri", broker);
      }
      if (backend != null) {
        checkBroker("tasks.backend.uri", backend);
      }
    }

    @Override
    public String toString() {
      return "TasksConfig[enabled="
          + enabled
          + ", mode="
          + mode
          + ", broker="
          + (broker == null ? null : RemoteTasks.redact(broker))
          + ", backend="
          + (backend == null ? null : RemoteTasks.redact(backend))
          + ", workers="
          + workers
          + ", shutdownGrace="
          + shutdownGrace
          + "]";
    }

    /** The backend's URI: {@link #backend()} if set, else the broker's. */
    public @Nullable URI backendOrBroker() {
      return backend != null ? backend : broker;
    }

    /** Local tasks, no allocations, a 5 s grace. */
    public static TasksConfig defaults() {
      return new TasksConfig(true, Mode.LOCAL, null, null, Map.of(), Duration.ofSeconds(5));
    }
  }

  private static void checkBroker(String key, URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!List.of("redis", "rediss", "amqp", "amqps").contains(scheme) || uri.getHost() == null) {
      throw new NodeConfigException(
          key + ": \"" + RemoteTasks.redact(uri) + "\" is not a broker URI; use " + BROKER_FORMS);
    }
  }

  /**
   * The command modules.
   *
   * @param disabled families of {@link #FAMILIES} that do not run
   * @param store the store module's backend
   * @param databases the sql module's databases, besides the H2 in-memory {@code default}
   * @param cloudstorageRoot the local object store's directory; default: {@code
   *     baton-<node>-objects} under {@code java.io.tmpdir}, made when the node starts
   * @param security the security module's token store
   * @param workflow the workflow module's journal
   */
  public record ModulesConfig(
      Set<String> disabled,
      StoreConfig store,
      List<DatabaseConfig> databases,
      @Nullable Path cloudstorageRoot,
      SecurityConfig security,
      WorkflowConfig workflow) {
    public ModulesConfig {
      disabled = Set.copyOf(disabled);
      for (String family : disabled) {
        if (!FAMILIES.contains(family)) {
          throw new NodeConfigException(
              "modules.disabled: \""
                  + family
                  + "\" is not a module family; use any of "
                  + String.join(", ", FAMILIES));
        }
      }
      requireNonNull(store, "store");
      databases = List.copyOf(databases);
      requireNonNull(security, "security");
      requireNonNull(workflow, "workflow");
    }

    /** Every family on, in-memory store, H2, temp-dir object store, generated HMAC key. */
    public static ModulesConfig defaults() {
      return new ModulesConfig(
          Set.of(),
          new StoreConfig(StoreConfig.Backend.MEMORY, null),
          List.of(),
          null,
          new SecurityConfig("default", null, null, null),
          new WorkflowConfig(
              WorkflowConfig.Journal.MEMORY, null, "postgres", null, "baton_workflow"));
    }
  }

  /**
   * The store module's backend.
   *
   * @param backend memory (default) or redis
   * @param uri the Redis URI, required for redis
   */
  public record StoreConfig(Backend backend, @Nullable URI uri) {
    /** Where stored values live. */
    public enum Backend {
      /** In the node's memory. */
      MEMORY,
      /** In Redis. */
      REDIS
    }

    public StoreConfig {
      requireNonNull(backend, "backend");
      if (backend == Backend.REDIS && uri == null) {
        throw new NodeConfigException(
            "modules.store.uri: the redis store backend needs a URI; set redis://host:port[/db]");
      }
    }

    @Override
    public String toString() {
      return "StoreConfig["
          + backend
          + ", uri="
          + (uri == null ? null : RemoteTasks.redact(uri))
          + "]";
    }
  }

  /**
   * One sql database.
   *
   * @param name the name commands use ({@code default} replaces the H2 default)
   * @param url its JDBC URL
   * @param user the user, if any
   * @param password the password, if any
   * @param poolSize the connection pool's size
   */
  public record DatabaseConfig(
      String name, String url, @Nullable String user, @Nullable String password, int poolSize) {
    public DatabaseConfig {
      requireNonNull(name, "name");
      requireNonNull(url, "url");
      if (!url.startsWith("jdbc:")) {
        throw new NodeConfigException(
            "modules.sql.databases."
                + name
                + ".url: \""
                + url
                + "\" is not a JDBC URL; use jdbc:h2:mem:name or jdbc:postgresql://host:port/db");
      }
      positive("modules.sql.databases." + name + ".poolSize", poolSize);
    }

    @Override
    public String toString() {
      return "DatabaseConfig["
          + name
          + ", "
          + url
          + ", user="
          + user
          + ", poolSize="
          + poolSize
          + "]";
    }
  }

  /**
   * The security module's one token store.
   *
   * @param store the token store's name, which commands use
   * @param issuer the tokens' issuer; default: the node's name
   * @param audience the tokens' audience; default: the node's name
   * @param hmacKey the HS256 key (at least 32 bytes of UTF-8); default: 32 random bytes drawn at
   *     each start, so tokens do not outlive the node
   */
  public record SecurityConfig(
      String store, @Nullable String issuer, @Nullable String audience, @Nullable String hmacKey) {
    public SecurityConfig {
      requireNonNull(store, "store");
      if (hmacKey != null && hmacKey.getBytes(StandardCharsets.UTF_8).length < 32) {
        throw new NodeConfigException(
            "modules.security.hmacKey: the key has "
                + hmacKey.getBytes(StandardCharsets.UTF_8).length
                + " bytes; HS256 needs at least 32 (or leave it unset to draw one per start)");
      }
    }

    @Override
    public String toString() {
      return "SecurityConfig["
          + store
          + ", issuer="
          + issuer
          + ", audience="
          + audience
          + ", hmacKey="
          + (hmacKey == null ? "generated" : "(set)")
          + "]";
    }
  }

  /**
   * The workflow module's journal.
   *
   * @param journal memory (default) or postgres
   * @param url the {@code jdbc:postgresql:} URL, required for postgres
   * @param user the database user
   * @param password the password, if any
   * @param schema the schema holding the journal's tables (lower-case identifier)
   */
  public record WorkflowConfig(
      Journal journal,
      @Nullable String url,
      String user,
      @Nullable String password,
      String schema) {
    /** Where workflow journals live. */
    public enum Journal {
      /** In the node's memory: workflows do not survive a restart. */
      MEMORY,
      /** In PostgreSQL. */
      POSTGRES
    }

    public WorkflowConfig {
      requireNonNull(journal, "journal");
      requireNonNull(user, "user");
      requireNonNull(schema, "schema");
      if (journal == Journal.POSTGRES && (url == null || !url.startsWith("jdbc:postgresql:"))) {
        throw new NodeConfigException(
            "modules.workflow.url: "
                + (url == null ? "the postgres journal needs a URL" : "\"" + url + "\" is not one")
                + "; set jdbc:postgresql://host:port/db");
      }
      if (!schema.matches("[a-z_][a-z0-9_]*")) {
        throw new NodeConfigException(
            "modules.workflow.schema: \""
                + schema
                + "\" is not a lower-case SQL identifier; use letters a-z, digits and '_'");
      }
    }

    @Override
    public String toString() {
      return "WorkflowConfig["
          + journal
          + ", "
          + url
          + ", user="
          + user
          + ", schema="
          + schema
          + "]";
    }
  }

  /**
   * The dashboard.
   *
   * @param enabled whether the node serves it
   * @param bind the address to listen on: a literal IP address or {@code localhost}
   * @param port the port; 0 picks a free one
   * @param token the access token; required unless {@code bind} is a loopback address
   */
  public record DashboardConfig(boolean enabled, String bind, int port, @Nullable String token) {
    public DashboardConfig {
      requireNonNull(bind, "bind");
      if (port < 0 || port > 65535) {
        throw new NodeConfigException(
            "dashboard.port: " + port + " is not a port; use 0 (any free port) to 65535");
      }
      if (token != null) {
        try {
          DashboardSettings.checkToken(token);
        } catch (IllegalArgumentException e) {
          throw new NodeConfigException(String.valueOf(e.getMessage()), e);
        }
      }
      boolean loopback = isLoopback(bind);
      if (!loopback && token == null && enabled) {
        throw new NodeConfigException(
            "dashboard.token: the dashboard binds "
                + bind
                + ", which is not a loopback address, so it needs a token; set dashboard.token"
                + " (e.g. ${BATON_DASHBOARD_TOKEN}) or bind 127.0.0.1");
      }
    }

    /**
     * Whether {@code bind} is a loopback address.
     *
     * @throws NodeConfigException naming {@code dashboard.bind} if it is neither a literal IP
     *     address nor {@code localhost} (no name is looked up)
     */
    static boolean isLoopback(String bind) {
      if (bind.equals("localhost")) {
        return true;
      }
      try {
        return InetAddress.ofLiteral(bind).isLoopbackAddress();
      } catch (IllegalArgumentException e) {
        throw new NodeConfigException(
            "dashboard.bind: \""
                + bind
                + "\" is not an address; use a literal IP address (127.0.0.1, 0.0.0.0, ::1) or"
                + " localhost",
            e);
      }
    }

    @Override
    public String toString() {
      return "DashboardConfig[enabled="
          + enabled
          + ", "
          + bind
          + ":"
          + port
          + ", token="
          + (token == null ? "none" : "(set)")
          + "]";
    }
  }

  /**
   * Metrics.
   *
   * @param enabled whether the node keeps Micrometer metrics (served at the dashboard's /metrics)
   */
  public record MetricsConfig(boolean enabled) {}

  private static void positive(String key, int value) {
    if (value < 1) {
      throw new NodeConfigException(key + ": " + value + " is too small; use 1 or more");
    }
  }

  private static void nonNegative(String key, Duration value) {
    requireNonNull(value, key);
    if (value.isNegative()) {
      throw new NodeConfigException(key + ": " + value + " is negative; use 0s or more");
    }
  }

  /** Builds a {@link NodeConfig} from {@link #defaults()}; sections validate when set. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private SchedulerConfig scheduler = SchedulerConfig.defaults();
    private TasksConfig tasks = TasksConfig.defaults();
    private ModulesConfig modules = ModulesConfig.defaults();
    private DashboardConfig dashboard = new DashboardConfig(true, "127.0.0.1", 7070, null);
    private MetricsConfig metrics = new MetricsConfig(true);
    private List<String> extensions = new ArrayList<>();

    private Builder() {}

    /** The node's name. */
    public Builder name(String name) {
      this.name = requireNonNull(name, "name");
      return this;
    }

    /** The scheduler section. */
    public Builder scheduler(SchedulerConfig scheduler) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The tasks section. */
    public Builder tasks(TasksConfig tasks) {
      this.tasks = requireNonNull(tasks, "tasks");
      return this;
    }

    /** Turns the task app on or off. */
    public Builder tasksEnabled(boolean enabled) {
      return tasks(
          new TasksConfig(
              enabled,
              tasks.mode(),
              tasks.broker(),
              tasks.backend(),
              tasks.workers(),
              tasks.shutdownGrace()));
    }

    /** Local tasks (no server). */
    public Builder localTasks() {
      return tasks(
          new TasksConfig(
              tasks.enabled(),
              TasksConfig.Mode.LOCAL,
              null,
              null,
              tasks.workers(),
              tasks.shutdownGrace()));
    }

    /**
     * Remote tasks on {@code broker}, with results on {@code backend} (null: the broker's).
     *
     * @throws NodeConfigException if a URI is not a broker URI
     */
    public Builder remoteTasks(URI broker, @Nullable URI backend) {
      return tasks(
          new TasksConfig(
              true,
              TasksConfig.Mode.REMOTE,
              requireNonNull(broker, "broker"),
              backend,
              tasks.workers(),
              tasks.shutdownGrace()));
    }

    /** Allocates {@code count} workers to the task {@code name} (registered by an extension). */
    public Builder taskWorkers(String name, int count) {
      Map<String, Integer> workers = new LinkedHashMap<>(tasks.workers());
      workers.put(requireNonNull(name, "name"), count);
      return tasks(
          new TasksConfig(
              tasks.enabled(),
              tasks.mode(),
              tasks.broker(),
              tasks.backend(),
              workers,
              tasks.shutdownGrace()));
    }

    /** The modules section. */
    public Builder modules(ModulesConfig modules) {
      this.modules = requireNonNull(modules, "modules");
      return this;
    }

    /** Turns module families off. */
    public Builder disable(String... families) {
      Set<String> disabled = new LinkedHashSet<>(modules.disabled());
      disabled.addAll(List.of(families));
      return modules(
          new ModulesConfig(
              disabled,
              modules.store(),
              modules.databases(),
              modules.cloudstorageRoot(),
              modules.security(),
              modules.workflow()));
    }

    /** The dashboard section. */
    public Builder dashboard(DashboardConfig dashboard) {
      this.dashboard = requireNonNull(dashboard, "dashboard");
      return this;
    }

    /** Turns the dashboard on or off, keeping its address. */
    public Builder dashboard(boolean enabled) {
      return dashboard(
          new DashboardConfig(enabled, dashboard.bind(), dashboard.port(), dashboard.token()));
    }

    /** The dashboard's address (a literal IP or localhost) and port (0: any free one). */
    public Builder dashboardAddress(String bind, int port) {
      return dashboard(new DashboardConfig(dashboard.enabled(), bind, port, dashboard.token()));
    }

    /** The dashboard's access token (null: none, only allowed on loopback). */
    public Builder dashboardToken(@Nullable String token) {
      return dashboard(
          new DashboardConfig(dashboard.enabled(), dashboard.bind(), dashboard.port(), token));
    }

    /** The metrics section. */
    public Builder metrics(boolean enabled) {
      this.metrics = new MetricsConfig(enabled);
      return this;
    }

    /** The metrics section. */
    public Builder metrics(MetricsConfig metrics) {
      this.metrics = requireNonNull(metrics, "metrics");
      return this;
    }

    /** The extensions to install, by name (replacing any set before). */
    public Builder extensions(List<String> names) {
      this.extensions = new ArrayList<>(names);
      return this;
    }

    /** Adds extensions to install, by name. */
    public Builder extension(String... names) {
      extensions.addAll(List.of(names));
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws NodeConfigException if a value is bad, naming its key
     */
    public NodeConfig build() {
      return new NodeConfig(name, scheduler, tasks, modules, dashboard, metrics, extensions);
    }
  }
}
