package dev.baton.tasks;

/**
 * Why a call failed. Every {@link ReportStatus#FAIL} report carries one, with a message naming the
 * task and the cause.
 */
public enum ErrorCode {
  /** A failure that fits no other code. */
  GENERIC,
  /** The task threw an {@link Error} (a stack overflow, say); the worker kept running. */
  PANIC,
  /** The app closed before the call completed. */
  SHUTDOWN,
  /** No task of that name is registered where the call was routed. */
  UNKNOWN_TASK,
  /** Wrong argument count or an argument that cannot become the declared parameter type. */
  BAD_ARGUMENTS,
  /** The task threw an exception; the message holds its class and message. */
  TASK_FAILED,
  /** The call's timeout passed before a final report. */
  TIMEOUT,
  /** A payload from the wire did not decode. */
  DECODE,
  /** The call was revoked ({@link Result#cancel()}) before it ran. */
  REVOKED,
  /** The call's expiry passed before a worker started it. */
  EXPIRED,
  /** The arguments or the return value exceed the payload size limit. */
  TOO_LARGE
}
