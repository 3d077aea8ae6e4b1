package dev.baton.workflow.spi;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A workflow as its journal store keeps it.
 *
 * @param id the workflow's id, unique in the store
 * @param type the registered workflow type that runs it
 * @param input what it was started with
 * @param status where it is
 * @param result its result, once {@link WorkflowStatus#COMPLETED}
 * @param failure its error, once {@link WorkflowStatus#FAILED}
 */
public record WorkflowRecord(
    String id,
    String type,
    Payload input,
    WorkflowStatus status,
    @Nullable Payload result,
    @Nullable Failure failure) {
  /** Checks the fields. */
  public WorkflowRecord {
    requireNonNull(id, "id");
    requireNonNull(type, "type");
    requireNonNull(input, "input");
    requireNonNull(status, "status");
  }
}
