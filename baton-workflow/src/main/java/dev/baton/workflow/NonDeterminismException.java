package dev.baton.workflow;

import dev.baton.modules.ModuleException;

/**
 * A replay diverged from the journal: the code yielded another command (or another side-effect
 * name, version change id, child) than the journal recorded at that position, finished before
 * consuming the journal, or met a journaled version it no longer supports. The run stops and the
 * workflow stays running in the journal, so a corrected deployment resumes it; nothing is
 * dispatched for the diverging call.
 */
public final class NonDeterminismException extends ModuleException {
  private final String workflowId;
  private final int seq;

  NonDeterminismException(String workflowId, int seq, String message) {
    super(
        "workflow '" + workflowId + "' diverged from its journal at entry " + seq + ": " + message);
    this.workflowId = workflowId;
    this.seq = seq;
  }

  /** The workflow replayed. */
  public String workflowId() {
    return workflowId;
  }

  /** The journal position where the code diverged. */
  public int seq() {
    return seq;
  }
}
