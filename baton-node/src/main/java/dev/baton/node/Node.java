package dev.baton.node;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.Component;
import dev.baton.dashboard.Dashboard;
import dev.baton.dashboard.DashboardSettings;
import dev.baton.dashboard.NodeView;
import dev.baton.node.spi.NodeExtension;
import dev.baton.process.Scheduler;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import dev.baton.workflow.PostgresWorkflowJournal;
import dev.baton.workflow.spi.WorkflowJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Baton node: the components its {@link NodeConfig} names, booted in dependency order
 * (registry, time, scheduler, the task app, the command modules, the extensions' components,
 * metrics, the dashboard last), and stopped gracefully.
 *
 * <p><b>Start.</b> {@link #start} installs the extensions (the configuration's, found with {@link
 * ServiceLoader}, then the given ones), boots every component, allocates the task workers, and runs
 * the extensions' on-started actions. A failure anywhere stops what had started and is thrown.
 *
 * <p><b>Shutdown.</b> {@link #close()} runs in phases, each reported to the log (and to a progress
 * listener, which {@link NodeSignals} prints): the dashboard stops; the task app stops consuming,
 * lets running attempts finish within {@code tasks.shutdownGrace} and interrupts the rest (their
 * tasks stay unacknowledged in a remote broker, which delivers them again); processes are
 * cancelled, then terminated after {@code scheduler.shutdownDeadline}; then every component stops
 * in the boot order's reverse.
 *
 * <p><b>Threads.</b> Thread-safe: {@code close} may be called from any thread (a signal handler's);
 * the first call does the work and later ones wait for it.
 */
public final class Node implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  /** The dashboard component's name. */
  static final String DASHBOARD_COMPONENT = "node.dashboard";

  /** The metrics component's name. */
  static final String METRICS_COMPONENT = "node.metrics";

  private final NodeConfig config;
  private final Boot boot;
  private final AppContext services;
  private final @Nullable TaskApp app;
  private final NodeViewImpl view;
  private final @Nullable InetSocketAddress dashboardAddress;
  private final Resources resources;
  private final AtomicReference<@Nullable Dashboard> dashboard;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  private Node(
      NodeConfig config,
      Boot boot,
      AppContext services,
      @Nullable TaskApp app,
      NodeViewImpl view,
      AtomicReference<@Nullable Dashboard> dashboard,
      Resources resources) {
    this.config = config;
    this.boot = boot;
    this.services = services;
    this.app = app;
    this.view = view;
    Dashboard running = dashboard.get();
    this.dashboardAddress = running == null ? null : running.address();
    this.dashboard = dashboard;
    this.resources = resources;
  }

  /** Boots a node with the extensions its configuration names and no others. */
  public static Node start(NodeConfig config) {
    return start(config, List.of());
  }

  /**
   * Boots a node with the extensions its configuration names (found with {@link ServiceLoader})
   * plus the given ones.
   *
   * @throws NodeConfigException if the configuration cannot be honoured (an unknown extension, a
   *     broker that cannot be reached), naming the key
   * @throws dev.baton.boot.BootException if a component fails to load or start
   */
  public static Node start(NodeConfig config, List<NodeExtension> extensions) {
    requireNonNull(config, "config");
    requireNonNull(extensions, "extensions");
    List<NodeExtension> chosen = chooseExtensions(config, extensions);
    Instant startedAt = Instant.now();
    Resources resources = new Resources();
    TaskActivity activity = new TaskActivity();
    @Nullable NodeMetrics metrics =
        config.metrics().enabled() ? new NodeMetrics(config.name()) : null;
    Boot boot = null;
    try {
      TaskApp app =
          config.tasks().enabled() ? TaskWiring.taskApp(config, activity, resources) : null;
      NodeAssembly assembly = new NodeAssembly(config, app);
      for (NodeExtension extension : chosen) {
        try {
          extension.extend(assembly);
        } catch (RuntimeException e) {
          throw new NodeConfigException(
              "extensions: extension '" + extension.name() + "' failed to extend the node: " + e,
              e);
        }
      }
      assembly.seal();
      WorkflowJournal journal = null;
      NodeConfig.WorkflowConfig workflow = config.modules().workflow();
      if (config.runs("workflow")
          && workflow.journal() == NodeConfig.WorkflowConfig.Journal.POSTGRES) {
        PostgresWorkflowJournal postgres;
        try {
          postgres =
              PostgresWorkflowJournal.open(
                  requireNonNull(workflow.url()),
                  workflow.user(),
                  workflow.password(),
                  workflow.schema());
        } catch (RuntimeException e) {
          throw new NodeConfigException(
              "modules.workflow.url: cannot open the PostgreSQL journal ("
                  + e.getMessage()
                  + "); check that the server runs and the URL, user and password are right",
              e);
        }
        resources.add(postgres);
        journal = postgres;
      }
      Path objectsRoot = objectsRoot(config, resources);
      List<Component> components = new ArrayList<>(assembly.components(journal, objectsRoot));
      NodeViewImpl view = new NodeViewImpl(config.name(), startedAt, app, activity, metrics);
      if (metrics != null) {
        components.add(metrics.component(app, activity));
      }
      AtomicReference<@Nullable Dashboard> dashboard = new AtomicReference<>();
      if (config.dashboard().enabled()) {
        components.add(dashboardComponent(config.dashboard(), view, components, dashboard));
      }
      boot = Boot.of(components);
      boot.load(AppContext.empty());
      AppContext services = boot.start();
      view.attach(services.require(Scheduler.KEY));
      if (app != null) {
        for (Map.Entry<String, Integer> allocation : assembly.allocations().entrySet()) {
          String task = allocation.getKey();
          try {
            app.allocate(task, allocation.getValue(), 0);
          } catch (RuntimeException e) {
            if (!config.tasks().workers().containsKey(task)) {
              throw e;
            }
            throw new NodeConfigException(
                "tasks.workers."
                    + task
                    + ": cannot allocate workers ("
                    + e.getMessage()
                    + "); name a task that one of the node's extensions registers",
                e);
          }
        }
      }
      for (Consumer<AppContext> action : assembly.startedActions()) {
        action.accept(services);
      }
      Dashboard running = dashboard.get();
      Node node = new Node(config, boot, services, app, view, dashboard, resources);
      log.info(
          "node {} started: {} components, tasks {}, dashboard {}",
          config.name(),
          components.size(),
          app == null ? "off" : config.tasks().mode().name().toLowerCase(java.util.Locale.ROOT),
          running == null ? "off" : running.address());
      return node;
    } catch (RuntimeException e) {
      if (boot != null) {
        try {
          boot.shutdown();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      resources.closeAll();
      throw e;
    }
  }

  private static List<NodeExtension> chooseExtensions(
      NodeConfig config, List<NodeExtension> given) {
    Map<String, NodeExtension> chosen = new LinkedHashMap<>();
    if (!config.extensions().isEmpty()) {
      Map<String, NodeExtension> installed = new LinkedHashMap<>();
      for (NodeExtension extension : ServiceLoader.load(NodeExtension.class)) {
        installed.putIfAbsent(extension.name(), extension);
      }
      given.forEach(extension -> installed.putIfAbsent(extension.name(), extension));
      for (String name : config.extensions()) {
        NodeExtension extension = installed.get(name);
        if (extension == null) {
          throw new NodeConfigException(
              "extensions: no extension named '"
                  + name
                  + "' is installed; installed: "
                  + (installed.isEmpty()
                      ? "none (an extension is a NodeExtension provided through ServiceLoader on"
                          + " the node's module or class path)"
                      : String.join(", ", installed.keySet().stream().sorted().toList())));
        }
        chosen.put(name, extension);
      }
    }
    for (NodeExtension extension : given) {
      chosen.putIfAbsent(extension.name(), extension);
    }
    return List.copyOf(chosen.values());
  }

  private static Path objectsRoot(NodeConfig config, Resources resources) {
    Path configured = config.modules().cloudstorageRoot();
    if (configured != null || !config.runs("cloudstorage")) {
      return configured != null ? configured : Path.of(System.getProperty("java.io.tmpdir"));
    }
    try {
      Path temp = Files.createTempDirectory("baton-" + config.name() + "-objects-");
      resources.add(() -> deleteTree(temp));
      return temp;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the object store's directory under java.io.tmpdir; set"
              + " modules.cloudstorage.root",
          e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static Component dashboardComponent(
      NodeConfig.DashboardConfig settings,
      NodeView view,
      List<Component> others,
      AtomicReference<@Nullable Dashboard> holder) {
    InetAddress bind;
    try {
      bind = InetAddress.getByName(settings.bind());
    } catch (UnknownHostException e) {
      throw new NodeConfigException(
          "dashboard.bind: \""
              + settings.bind()
              + "\" is not an address; use a literal IP address such as 127.0.0.1");
    }
    DashboardSettings dashboardSettings =
        new DashboardSettings(bind, settings.port(), settings.token(), Duration.ofSeconds(1));
    return Component.named(DASHBOARD_COMPONENT)
        .dependsOn(others.stream().map(Component::name).toArray(String[]::new))
        .onStart(context -> holder.set(Dashboard.start(dashboardSettings, view)))
        .onStop(
            context -> {
              Dashboard dashboard = holder.getAndSet(null);
              if (dashboard != null) {
                dashboard.close();
              }
            })
        .build();
  }

  /** The node's name, from the configuration. */
  public String name() {
    return config.name();
  }

  /** The configuration the node runs. */
  public NodeConfig config() {
    return config;
  }

  /** The services the components published (the registry, the scheduler, the task app, ...). */
  public AppContext services() {
    return services;
  }

  /** The node's scheduler. */
  public Scheduler scheduler() {
    return services.require(Scheduler.KEY);
  }

  /** The node's task app, unless the configuration turned tasks off. */
  public Optional<TaskApp> tasks() {
    return Optional.ofNullable(app);
  }

  /** Where the dashboard listens, unless the configuration turned it off. */
  public Optional<InetSocketAddress> dashboardAddress() {
    return Optional.ofNullable(dashboardAddress);
  }

  /** The node as the dashboard sees it: snapshots, processes, recent tasks, queues, metrics. */
  public NodeView view() {
    return view;
  }

  /**
   * Stops the node gracefully, in the order of the class comment. Idempotent; a second call, from
   * any thread, waits for the first to finish. A step that fails (a component whose stop throws)
   * does not stop the later ones: every phase runs, everything the node owns is closed, {@link
   * #awaitStopped} returns true, and then the first failure is thrown (later ones suppressed in
   * it), such as a {@link dev.baton.boot.ShutdownException} naming the components.
   */
  @Override
  public void close() {
    close(phase -> {});
  }

  /** {@link #close()}, telling {@code progress} each phase as it begins. */
  void close(Consumer<String> progress) {
    if (!closing.compareAndSet(false, true)) {
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    @Nullable RuntimeException failure = null;
    try {
      report(progress, "stopping the dashboard");
      failure = step(failure, "stopping the dashboard", this::stopDashboard);
      TaskApp tasks = app;
      if (tasks != null) {
        report(
            progress,
            "stopping task workers (running tasks get "
                + config.tasks().shutdownGrace().toMillis()
                + " ms to finish; unfinished ones stay in the broker)");
        failure = step(failure, "stopping task workers", tasks::close);
      }
      report(
          progress,
          "stopping processes (cancel, then terminate after "
              + config.scheduler().shutdownDeadline().toMillis()
              + " ms)");
      failure =
          step(
              failure,
              "stopping processes",
              () -> scheduler().shutdown(config.scheduler().shutdownDeadline()));
      report(progress, "stopping components");
      failure = step(failure, "stopping components", boot::shutdown);
      resources.closeAll();
      report(progress, "stopped");
    } finally {
      stopped.countDown();
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Runs one shutdown step; a failure is logged and kept (the first one, the later ones suppressed
   * in it) so that the steps after it still run and nothing the node owns is left open.
   */
  private @Nullable RuntimeException step(
      @Nullable RuntimeException failure, String phase, Runnable step) {
    try {
      step.run();
      return failure;
    } catch (RuntimeException e) {
      log.warn("node {}: {} failed; the shutdown carries on", config.name(), phase, e);
      if (failure == null) {
        return e;
      }
      failure.addSuppressed(e);
      return failure;
    }
  }

  private void stopDashboard() {
    // The dashboard is the last component to start, so the boot would stop it first too; stopping
    // it here makes that explicit and keeps it out of the way of the phases that follow.
    Dashboard running = dashboard.getAndSet(null);
    if (running != null) {
      running.close();
    }
  }

  private void report(Consumer<String> progress, String phase) {
    log.info("node {}: {}", config.name(), phase);
    try {
      progress.accept(phase);
    } catch (RuntimeException e) {
      log.warn("the shutdown progress listener failed", e);
    }
  }

  /** Waits until {@link #close()} has finished, or the timeout passes; returns whether it had. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Things the node owns outside the boot (adapters, journals, temp dirs), closed last. */
  static final class Resources {
    private final List<AutoCloseable> owned = new ArrayList<>();

    synchronized void add(AutoCloseable resource) {
      owned.add(resource);
    }

    synchronized void closeAll() {
      for (int i = owned.size() - 1; i >= 0; i--) {
        try {
          owned.get(i).close();
        } catch (Exception e) {
          log.warn("closing {} failed", owned.get(i), e);
        }
      }
      owned.clear();
    }
  }

  static SystemTimeSource newTimeSource(Resources resources, String name) {
    SystemTimeSource time = new SystemTimeSource(name + "-tasks-time");
    resources.add(time);
    return time;
  }
}
