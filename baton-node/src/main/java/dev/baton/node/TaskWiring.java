package dev.baton.node;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import java.net.URI;
import java.util.UUID;

/** Builds the node's task app: local, or remote on the configured broker and backend. */
final class TaskWiring {
  private TaskWiring() {}

  /**
   * The task app, observed by {@code activity}; its adapters and time source are added to {@code
   * resources} (closed after the app), and so is the app itself, so a failed start closes it.
   *
   * @throws NodeConfigException if the broker or backend cannot be reached, naming the key
   */
  static TaskApp taskApp(NodeConfig config, TaskActivity activity, Node.Resources resources) {
    NodeConfig.TasksConfig tasks = config.tasks();
    TaskApp.Builder builder =
        TaskApp.builder()
            .shutdownGrace(tasks.shutdownGrace())
            .workerId(config.name() + "-" + UUID.randomUUID().toString().substring(0, 8))
            .observer(activity);
    if (tasks.mode() == NodeConfig.TasksConfig.Mode.LOCAL) {
      TaskApp app = builder.mode(TaskApp.Mode.LOCAL).build();
      resources.add(app);
      return app;
    }
    SystemTimeSource time = Node.newTimeSource(resources, config.name());
    URI brokerUri = requireNonNull(tasks.broker());
    URI backendUri = requireNonNull(tasks.backendOrBroker());
    AutoCloseable broker = connect("tasks.broker.uri", brokerUri, true, time);
    resources.add(broker);
    AutoCloseable backend = connect("tasks.backend.uri", backendUri, false, time);
    resources.add(backend);
    TaskApp app = builder.mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    resources.add(app);
    app.use(broker);
    app.use(backend);
    return app;
  }

  private static AutoCloseable connect(String key, URI uri, boolean broker, SystemTimeSource time) {
    try {
      return broker ? RemoteTasks.connectBroker(uri, time) : RemoteTasks.connectBackend(uri, time);
    } catch (RuntimeException e) {
      throw new NodeConfigException(
          key
              + ": cannot connect to "
              + RemoteTasks.redact(uri)
              + " ("
              + e.getMessage()
              + "); check that the server runs and the URI is right",
          e);
    }
  }
}
