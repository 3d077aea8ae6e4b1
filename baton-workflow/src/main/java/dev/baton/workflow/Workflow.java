package dev.baton.workflow;

import org.jspecify.annotations.Nullable;

/**
 * Workflow code: a function the engine runs as a coroutine process, and runs again (replays) after
 * a crash.
 *
 * <p>It must be deterministic given its input and the outcomes of the commands it calls through its
 * {@link WorkflowScope}: the time, randomness, ids and anything else that differs between runs come
 * through the scope ({@link WorkflowScope#now()}, {@link WorkflowScope#random()}, {@link
 * WorkflowScope#newId()}, {@link WorkflowScope#sideEffect}), never from the JDK directly.
 */
@FunctionalInterface
public interface Workflow {
  /**
   * The workflow's body. Returning completes the workflow with the returned value (journaled as
   * JSON); throwing fails it with what was thrown.
   *
   * @param scope the journaled way to call commands
   * @param input what the workflow was started with, as read back from the journal
   */
  @Nullable Object run(WorkflowScope scope, @Nullable Object input) throws Exception;
}
