package dev.baton.workflow;

import dev.baton.modules.ModuleException;
import java.util.Collection;

/**
 * A workflow type is not registered on this node (a start, a Call, or a journaled workflow found at
 * start-up), or an id is taken by a workflow of another type.
 */
public final class WorkflowTypeNotFoundException extends ModuleException {
  WorkflowTypeNotFoundException(String type, Collection<String> known) {
    super(
        "no workflow type '"
            + type
            + "' is registered; register it with WorkflowModule.Builder.register (registered: "
            + known
            + ")");
  }

  WorkflowTypeNotFoundException(String id, String journaledType, String requestedType) {
    super(
        "workflow '"
            + id
            + "' exists with type '"
            + journaledType
            + "', not '"
            + requestedType
            + "'; use another id");
  }
}
