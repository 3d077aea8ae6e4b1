/**
 * Baton's contract test kit: abstract JUnit 5 suites that every broker, backend and app wiring
 * extends, re-creating the seed's broker, backend and app suites plus the SPI guarantees every real
 * adapter must meet.
 *
 * <ul>
 *   <li>{@link dev.baton.testkit.BrokerContract}: a {@link dev.baton.tasks.spi.TaskProducer} and
 *       {@link dev.baton.tasks.spi.NamedTaskConsumer};
 *   <li>{@link dev.baton.testkit.SharedQueueBrokerContract}: a producer and a {@link
 *       dev.baton.tasks.spi.TaskConsumer} in the seed's shared-queue layout;
 *   <li>{@link dev.baton.testkit.BackendContract}: a {@link dev.baton.tasks.spi.ReportPublisher}
 *       and {@link dev.baton.tasks.spi.ReportStore};
 *   <li>{@link dev.baton.testkit.SingleAppContract} and {@link dev.baton.testkit.MultiAppContract}:
 *       whole {@link dev.baton.tasks.TaskApp}s wired to a broker and a backend.
 * </ul>
 *
 * <p>{@link dev.baton.testkit.ChildJvm} starts the worker JVM an adapter's reliability test kills.
 *
 * <p>The package is open (not only exported): JUnit invokes the suites' test methods reflectively
 * through subclasses in other modules, and the value records the app suites send through a broker
 * are read by Jackson.
 */
module dev.baton.testkit {
  requires transitive dev.baton.tasks;
  requires transitive dev.baton.modules;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;

  exports dev.baton.testkit;

  opens dev.baton.testkit;
}
