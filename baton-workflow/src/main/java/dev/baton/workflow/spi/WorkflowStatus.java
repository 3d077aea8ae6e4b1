package dev.baton.workflow.spi;

/** Where a workflow is in its life. */
public enum WorkflowStatus {
  /** Started and not finished: a node resumes it (replays its journal) when it starts. */
  RUNNING,
  /** Finished with a result. */
  COMPLETED,
  /** Finished with an error. */
  FAILED
}
