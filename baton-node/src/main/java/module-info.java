/**
 * A Baton node: boots a configured set of components (registry, scheduler, every command module,
 * the task app on its broker and backend, metrics, the dashboard) from YAML or code, and shuts them
 * down gracefully, on {@link dev.baton.node.Node#close()} or on SIGTERM/SIGINT ({@link
 * dev.baton.node.NodeSignals}).
 *
 * <ul>
 *   <li>API — {@code dev.baton.node}: {@link dev.baton.node.Node}, {@link
 *       dev.baton.node.NodeConfig} (+ its builder and YAML reader), {@link
 *       dev.baton.node.NodeSignals};
 *   <li>SPI — {@code dev.baton.node.spi}: {@link dev.baton.node.spi.NodeExtension}, how user code
 *       adds tasks, modules and work to a node.
 * </ul>
 *
 * <p>Internal (not exported): the component assembly, the metrics (Micrometer, Prometheus
 * registry), the dashboard's view of the node, the YAML tree reader.
 */
// Micrometer and the Prometheus client ship as automatic modules; the Redis and RabbitMQ clients
// are required by baton-redis / baton-amqp the same way.
@SuppressWarnings("requires-automatic")
module dev.baton.node {
  requires transitive dev.baton.modules;
  requires transitive dev.baton.dashboard;
  requires transitive dev.baton.contract;
  requires transitive dev.baton.workflow;
  requires dev.baton.sql;
  requires dev.baton.security;
  requires dev.baton.cloudstorage;
  requires dev.baton.eval;
  requires dev.baton.redis;
  requires dev.baton.amqp;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;
  requires org.snakeyaml.engine;
  requires micrometer.core;
  requires micrometer.registry.prometheus;
  // sun.misc.Signal: a second SIGTERM/SIGINT must be seen while the first one's close runs, which
  // shutdown hooks cannot do (see NodeSignals).
  requires jdk.unsupported;

  exports dev.baton.node;
  exports dev.baton.node.spi;

  uses dev.baton.node.spi.NodeExtension;
}
