package dev.baton.process;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A process written as a state machine: the scheduler calls {@link #step} whenever there is
 * something for it to do, and the process says through its {@link StepOutput} what it yields and
 * what it does next.
 *
 * <p>All three methods are called by the scheduler, one at a time: {@link #init} on the spawning
 * thread before the pid is returned, then {@link #step} on a worker each time the process runs
 * (never on two workers at once, with a happens-before edge between consecutive steps, so a process
 * needs no synchronisation for its own fields), and {@link #close} once after the last step,
 * however the process ended.
 */
public interface StepProcess {

  /**
   * Prepares the process before its first step.
   *
   * @param context the process's identity, cancellation and the node's services
   * @param input what the spawner passed
   * @throws Exception to refuse the spawn; the spawner receives the failure and no process exists
   *     ({@link #close()} is not called, but the context is cancelled, so what init registered with
   *     {@link ProcessContext#onCancel} is released)
   */
  default void init(ProcessContext context, @Nullable Object input) throws Exception {}

  /**
   * Runs one step.
   *
   * @param events what happened since the previous step, in arrival order; empty on the first step
   *     and after a {@link StepOutput#continueRunning()}, and occasionally after a wait (a wake-up
   *     that raced the previous step, whose event that step already read). The list belongs to the
   *     scheduler and is reused: read it during the step, do not keep it.
   * @param out where the step writes its yields and its status; also reused, do not keep it
   * @throws Exception to end the process with this error
   */
  void step(List<Event> events, StepOutput out) throws Exception;

  /** Releases what the process holds; called once after it ended, even if it failed. */
  default void close() {}
}
