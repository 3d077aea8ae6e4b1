/**
 * Where brokers and result backends plug in: the seed's five roles, Java-shaped.
 *
 * <ul>
 *   <li>{@link dev.baton.tasks.spi.TaskProducer} sends {@link dev.baton.tasks.spi.TaskEnvelope}s
 *       (delayed ones stay in the broker) and records revocations;
 *   <li>{@link dev.baton.tasks.spi.NamedTaskConsumer} (one queue per task name or per routed queue,
 *       the default layout) and {@link dev.baton.tasks.spi.TaskConsumer} (one shared queue, routed
 *       by name in the worker) hand out {@link dev.baton.tasks.spi.Delivery}s, each settled exactly
 *       once: ack after the final report is stored, release, requeue for a retry, or dead-letter; a
 *       delivery whose lease runs out is redelivered;
 *   <li>{@link dev.baton.tasks.spi.ReportPublisher} stores {@link
 *       dev.baton.tasks.spi.ReportEnvelope}s durably, and {@link dev.baton.tasks.spi.ReportStore}
 *       streams them to callers in order, keeping reports written before anyone polls;
 *   <li>{@link dev.baton.tasks.spi.BrokerInspection} shows queue depths, workers' heartbeats and
 *       dead letters (with retry and discard) to the dashboard and the CLI.
 * </ul>
 *
 * <p>Envelopes are encoded with {@link dev.baton.tasks.spi.EnvelopeCodec}, one versioned format for
 * every adapter, so any broker pairs with any backend. Adapters prove themselves by extending the
 * contract suites of {@code baton-testkit}.
 */
@NullMarked
package dev.baton.tasks.spi;

import org.jspecify.annotations.NullMarked;
