package dev.baton.node;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.baton.boot.AppContext;
import dev.baton.boot.Component;
import dev.baton.cloudstorage.CloudStorageModule;
import dev.baton.cloudstorage.ObjectStorages;
import dev.baton.contract.Binding;
import dev.baton.contract.Bindings;
import dev.baton.contract.ContractModule;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
import dev.baton.eval.EvalModule;
import dev.baton.modules.clock.ClockModule;
import dev.baton.modules.event.EventBus;
import dev.baton.modules.event.EventModule;
import dev.baton.modules.exec.ExecModule;
import dev.baton.modules.function.FunctionModule;
import dev.baton.modules.http.HttpModule;
import dev.baton.modules.process.ProcessModule;
import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreModule;
import dev.baton.modules.store.Stores;
import dev.baton.modules.stream.StreamModule;
import dev.baton.modules.stream.StreamTable;
import dev.baton.modules.websocket.WebSocketModule;
import dev.baton.node.spi.ExtensionContext;
import dev.baton.process.Scheduler;
import dev.baton.redis.RedisStore;
import dev.baton.security.SecurityModule;
import dev.baton.security.TokenAlgorithm;
import dev.baton.security.TokenStore;
import dev.baton.security.TokenStores;
import dev.baton.sql.Databases;
import dev.baton.sql.SqlModule;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import dev.baton.workflow.Workflow;
import dev.baton.workflow.WorkflowModule;
import dev.baton.workflow.spi.WorkflowJournal;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The component list of one node, from its configuration and what its extensions contributed (the
 * node of docs/node.md; the same families, ids and dependencies as AllModulesNodeIT). Also the
 * {@link ExtensionContext} the extensions write into. Used by one thread while the node starts.
 */
final class NodeAssembly implements ExtensionContext {
  private final NodeConfig config;
  private final @Nullable TaskApp app;
  private final List<Component> extra = new ArrayList<>();
  private final List<Binding> bindings = new ArrayList<>();
  private final Map<String, Workflow> workflows = new LinkedHashMap<>();
  private final Map<String, Integer> allocations = new LinkedHashMap<>();
  private final List<Consumer<AppContext>> started = new ArrayList<>();
  private boolean open = true;

  NodeAssembly(NodeConfig config, @Nullable TaskApp app) {
    this.config = config;
    this.app = app;
    allocations.putAll(config.tasks().workers());
  }

  void seal() {
    open = false;
  }

  private void checkOpen() {
    if (!open) {
      throw new IllegalStateException(
          "the extension context is only valid while NodeExtension.extend runs");
    }
  }

  @Override
  public NodeConfig config() {
    return config;
  }

  @Override
  public TaskApp tasks() {
    checkOpen();
    if (app == null) {
      throw new IllegalStateException(
          "this node has no task app (tasks.enabled: false); enable tasks to register them");
    }
    return app;
  }

  @Override
  public void allocate(String name, int count) {
    checkOpen();
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, was " + count);
    }
    tasks();
    allocations.merge(name, count, Integer::sum);
  }

  @Override
  public void component(Component component) {
    checkOpen();
    extra.add(component);
  }

  @Override
  public void binding(Binding binding) {
    checkOpen();
    if (!config.runs("contract")) {
      throw new IllegalStateException(
          "the contract module is disabled (modules.disabled lists contract); a binding needs it");
    }
    bindings.add(binding);
  }

  @Override
  public void workflow(String type, Workflow workflow) {
    checkOpen();
    if (!config.runs("workflow")) {
      throw new IllegalStateException(
          "the workflow module is disabled (modules.disabled lists workflow); a workflow needs it");
    }
    if (workflows.putIfAbsent(type, workflow) != null) {
      throw new IllegalArgumentException("workflow type '" + type + "' is registered twice");
    }
  }

  @Override
  public void onStarted(Consumer<AppContext> action) {
    checkOpen();
    started.add(action);
  }

  Map<String, Integer> allocations() {
    return allocations;
  }

  List<Consumer<AppContext>> startedActions() {
    return started;
  }

  /**
   * The node's components (without metrics and dashboard, which the node adds).
   *
   * @param journal the workflow journal the node owns, or null for the in-memory default
   * @param objectsRoot the local object store's directory
   */
  List<Component> components(@Nullable WorkflowJournal journal, Path objectsRoot) {
    List<Component> components = new ArrayList<>();
    components.add(Registry.component());
    components.add(SystemTimeSource.component());
    components.add(scheduler(config.scheduler()));
    if (app != null) {
      TaskApp tasks = app;
      components.add(
          Component.named(FunctionModule.TASKS_COMPONENT)
              .dependsOn(Scheduler.COMPONENT_NAME)
              .onLoad(context -> context.with(TaskApp.KEY, tasks))
              .onStop(context -> tasks.close())
              .build());
    }
    if (config.runs("process")) {
      components.add(Dispatcher.component(new ProcessModule()));
    }
    if (config.runs("clock")) {
      components.add(Dispatcher.component(new ClockModule()));
    }
    if (config.runs("event")) {
      components.add(Dispatcher.component(new EventModule()));
      components.add(EventBus.component());
    }
    if (config.runs("store") || config.runs("security")) {
      components.add(stores(config.modules().store()));
    }
    if (config.runs("store")) {
      components.add(Dispatcher.component(new StoreModule()));
    }
    if (config.runs("function")) {
      if (app == null) {
        throw new NodeConfigException(
            "modules: the function module needs the task app; set tasks.enabled: true or add"
                + " function to modules.disabled");
      }
      components.add(Dispatcher.component(new FunctionModule()));
    }
    boolean streams = config.runs("stream") || config.runs("exec") || config.runs("http");
    if (streams) {
      components.add(StreamTable.component());
    }
    if (config.runs("stream")) {
      components.add(Dispatcher.component(new StreamModule()));
    }
    if (config.runs("exec")) {
      components.add(Dispatcher.component(ExecModule.withStreams()));
    }
    if (config.runs("http")) {
      components.add(Dispatcher.component(HttpModule.withStreams()));
    }
    if (config.runs("websocket")) {
      components.add(Dispatcher.component(new WebSocketModule()));
    }
    if (config.runs("sql")) {
      components.add(Databases.component(databases()));
      components.add(Dispatcher.component(new SqlModule()));
    }
    if (config.runs("security")) {
      components.add(TokenStores.component(tokenStore()));
      components.add(Dispatcher.component(new SecurityModule()));
    }
    if (config.runs("cloudstorage")) {
      components.add(ObjectStorages.local(objectsRoot));
      components.add(Dispatcher.component(new CloudStorageModule()));
    }
    if (config.runs("eval")) {
      components.add(Dispatcher.component(EvalModule.builder().build()));
    }
    if (config.runs("workflow")) {
      WorkflowModule.Builder builder = WorkflowModule.builder();
      if (journal != null) {
        builder.journal(journal);
      }
      workflows.forEach(builder::register);
      components.add(Dispatcher.component(builder.build()));
    }
    if (config.runs("contract")) {
      components.add(Bindings.component(bindings.toArray(Binding[]::new)));
      components.add(Dispatcher.component(new ContractModule()));
    }
    components.addAll(extra);
    return components;
  }

  /**
   * The scheduler with the configured settings, under the standard component's name and key. The
   * standard component's start hands the sealed context to whatever scheduler is under {@link
   * Scheduler#KEY}, so it is reused for that; the stop shuts down with the configured deadline.
   */
  private static Component scheduler(NodeConfig.SchedulerConfig settings) {
    Component standard = Scheduler.component();
    return Component.named(Scheduler.COMPONENT_NAME)
        .dependsOn(Registry.COMPONENT_NAME, SystemTimeSource.COMPONENT_NAME)
        .onLoad(
            context ->
                context.with(
                    Scheduler.KEY,
                    Scheduler.builder()
                        .registry(context.require(Registry.KEY))
                        .timeSource(context.require(TimeSource.KEY))
                        .workers(settings.workers())
                        .maxProcesses(settings.maxProcesses())
                        .mailboxCapacity(settings.mailboxCapacity())
                        .build()))
        .onStart(standard::start)
        .onStop(context -> context.require(Scheduler.KEY).shutdown(settings.shutdownDeadline()))
        .build();
  }

  private static Component stores(NodeConfig.StoreConfig store) {
    if (store.backend() == NodeConfig.StoreConfig.Backend.REDIS) {
      URI uri = store.uri();
      if (uri == null) {
        throw new IllegalStateException("checked by StoreConfig");
      }
      return Stores.component(
          time -> {
            try {
              return List.of(RedisStore.connect(uri, Store.DEFAULT_STORE));
            } catch (RuntimeException e) {
              throw new NodeConfigException(
                  "modules.store.uri: "
                      + e.getMessage()
                      + "; check that the server runs and the URI is right",
                  e);
            }
          });
    }
    return Stores.component();
  }

  private dev.baton.sql.DatabaseConfig[] databases() {
    return config.modules().databases().stream()
        .map(
            db -> {
              dev.baton.sql.DatabaseConfig.Builder builder =
                  dev.baton.sql.DatabaseConfig.builder(db.name())
                      .jdbcUrl(db.url())
                      .maximumPoolSize(db.poolSize());
              if (db.user() != null) {
                builder.username(db.user());
              }
              if (db.password() != null) {
                builder.password(db.password());
              }
              return builder.build();
            })
        .toArray(dev.baton.sql.DatabaseConfig[]::new);
  }

  private TokenStore tokenStore() {
    NodeConfig.SecurityConfig security = config.modules().security();
    byte[] key;
    if (security.hmacKey() != null) {
      key = security.hmacKey().getBytes(UTF_8);
    } else {
      key = new byte[32];
      new SecureRandom().nextBytes(key);
    }
    String issuer = security.issuer() != null ? security.issuer() : config.name();
    String audience = security.audience() != null ? security.audience() : config.name();
    String keyId = "k1";
    return TokenStore.builder(security.store())
        .issuer(issuer)
        .audience(audience)
        .hmac(keyId, TokenAlgorithm.HS256, key)
        .build();
  }
}
