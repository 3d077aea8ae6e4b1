/**
 * The in-memory broker and result backend: adapters that implement the whole SPI of {@link
 * dev.baton.tasks.spi} inside one JVM.
 *
 * <p>They behave like remote ones: tasks and reports are stored as the bytes {@link
 * dev.baton.tasks.spi.EnvelopeCodec} encodes, deliveries come on the broker's own thread and are
 * held under leases, delayed tasks wait in the broker, dead letters can be inspected, retried and
 * discarded. So an app in remote mode can be tested without a server, and the contract suites of
 * {@code baton-testkit} run against them first.
 *
 * <ul>
 *   <li>{@link dev.baton.tasks.memory.InMemoryBroker}: one queue per task name or routed queue;
 *   <li>{@link dev.baton.tasks.memory.InMemorySharedQueueBroker}: every task on one shared queue;
 *   <li>{@link dev.baton.tasks.memory.InMemoryBackend}: reports and idempotency claims.
 * </ul>
 *
 * <p>Time comes from the {@link dev.baton.time.TimeSource} given to each adapter, so tests drive
 * leases, delays and expiry with a {@link dev.baton.time.ManualTimeSource}. Nothing survives the
 * JVM: "durable" here means "stored in this object".
 */
@NullMarked
package dev.baton.tasks.memory;

import org.jspecify.annotations.NullMarked;
