package dev.baton.workflow;

import dev.baton.modules.ModuleException;
import dev.baton.workflow.spi.Failure;

/**
 * A workflow ended with an error (its code threw): what {@link WorkflowModule#start}'s future and a
 * {@link Workflows.Call} complete with. Carries the journaled error's type and message, so it reads
 * the same on every node and after every restart.
 */
public final class WorkflowFailedException extends ModuleException {
  private final String workflowId;
  private final String errorType;

  WorkflowFailedException(String workflowId, Failure failure) {
    super("workflow '" + workflowId + "' failed with " + failure.type() + ": " + failure.message());
    this.workflowId = workflowId;
    this.errorType = failure.type();
  }

  /** The failed workflow. */
  public String workflowId() {
    return workflowId;
  }

  /** The binary class name of what its code threw. */
  public String errorType() {
    return errorType;
  }
}
