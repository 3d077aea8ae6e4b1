package dev.baton.workflow;

import dev.baton.modules.ModuleException;

/**
 * A workflow-only command (SideEffect, Version, UpsertAttrs) was dispatched by a caller that is not
 * a workflow run by this node's {@link WorkflowModule}: only workflow code has a journal for it.
 */
public final class NotAWorkflowException extends ModuleException {
  NotAWorkflowException(String command, Object caller) {
    super(
        "workflow."
            + command
            + " was dispatched by "
            + caller
            + ", which is not a workflow; call it through a WorkflowScope in code the"
            + " WorkflowModule runs");
  }
}
