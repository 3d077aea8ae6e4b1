package dev.baton.workflow.spi;

import dev.baton.modules.ModuleException;

/**
 * A conditional journal write was refused: the workflow is unknown, already finished, or its
 * journal has moved on (another node advanced it). The run that got it stops without finishing the
 * workflow; the journal, not this node, holds the truth.
 */
public final class JournalConflictException extends ModuleException {
  private final String workflowId;

  /**
   * @param workflowId the workflow written to
   * @param message what was refused and why
   */
  public JournalConflictException(String workflowId, String message) {
    super(message);
    this.workflowId = workflowId;
  }

  /** The workflow written to. */
  public String workflowId() {
    return workflowId;
  }
}
