package dev.baton.tasks;

/** What kind of thing an {@link TaskEvent} reports. */
public enum EventCode {
  /** Anything without a more specific code. */
  GENERIC,
  /** A task could not be sent, routed or handed to a worker. */
  TASK_DELIVERY_FAILURE,
  /** A payload from the wire did not decode; the message went to the dead-letter queue. */
  DECODE_FAILURE,
  /** A task was moved to the dead-letter queue. */
  DEAD_LETTERED,
  /** A failed attempt will be retried after its backoff. */
  RETRY_SCHEDULED,
  /** A task threw an {@link Error}; the worker went on. */
  WORKER_PANIC,
  /** A report could not be published or read. */
  REPORT_FAILURE,
  /** A call's timeout passed. */
  TIMEOUT,
  /** An attached component's connection or state changed (lost, reconnected). */
  CONNECTION
}
