package dev.baton.tasks;

/**
 * The component an {@link TaskEvent} comes from, as in the seed: the attached roles (producer,
 * consumer, named consumer, reporter, store) and the app's own parts (worker, mapper, bridge,
 * caller).
 */
public enum EventOrigin {
  /** The attached task producer (sending tasks to the broker). */
  PRODUCER,
  /** The attached shared-queue consumer. */
  CONSUMER,
  /** The attached per-name consumer. */
  NAMED_CONSUMER,
  /** The attached report publisher (workers' reports to the backend). */
  REPORTER,
  /** The attached report store (callers' reads from the backend). */
  STORE,
  /** The workers running tasks. */
  WORKER,
  /** The router of the shared-queue mode, which hands tasks to the workers of their name. */
  MAPPER,
  /** The app's link between callers, workers and the attached roles. */
  BRIDGE,
  /** The caller side: pending calls, timeouts, results. */
  CALLER
}
