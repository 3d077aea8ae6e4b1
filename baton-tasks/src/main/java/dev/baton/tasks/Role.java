package dev.baton.tasks;

/**
 * The roles an object attached with {@link TaskApp#use} may play: the seed's five, each an
 * interface of {@link dev.baton.tasks.spi}. Attaching with no roles detects the ones the object
 * implements; naming a role it does not implement is refused.
 */
public enum Role {
  /** {@link dev.baton.tasks.spi.TaskProducer}: sends tasks to a broker. */
  PRODUCER,
  /** {@link dev.baton.tasks.spi.TaskConsumer}: receives every task from one shared queue. */
  CONSUMER,
  /** {@link dev.baton.tasks.spi.NamedTaskConsumer}: receives tasks from one queue per name. */
  NAMED_CONSUMER,
  /** {@link dev.baton.tasks.spi.ReportPublisher}: workers' reports to a backend. */
  REPORTER,
  /** {@link dev.baton.tasks.spi.ReportStore}: callers' reads of reports from a backend. */
  STORE
}
