package dev.baton.workflow;

import dev.baton.dispatch.Command;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * What workflow code uses to talk to the world: every call is journaled.
 *
 * <p>The N-th call of a run either returns (or throws) the journaled outcome of entry N (a replay:
 * nothing is dispatched) or dispatches the command, appends entry N to the journal and only then
 * returns. Either way the caller sees the value as read back from the journal's JSON, so a first
 * run and a replay see equal values; a value that cannot be written as JSON or read back as the
 * result type is journaled as the command's failure ({@link IllegalArgumentException}). A failed
 * command throws {@link WorkflowCommandException} (carrying the original error's type and message),
 * in a first run and a replay alike.
 *
 * <p><b>Threads.</b> Only the workflow's own (virtual) thread may call these methods; they block
 * it.
 *
 * <p><b>Errors</b> that stop the run without finishing the workflow (it stays running in the
 * journal, and runs again when a node starts or {@code start}/{@code Call} names it again): {@link
 * NonDeterminismException} (the code yields something else than the journal recorded, or a
 * journaled value no longer reads back), {@link dev.baton.workflow.spi.JournalConflictException},
 * {@link dev.baton.workflow.spi.JournalUnavailableException}, {@link
 * dev.baton.dispatch.UnknownCommandException} (no dispatcher of this node handles the command), and
 * {@link dev.baton.process.ProcessTerminatedException} (the node stops). Workflow code should let
 * them pass: they are never journaled, and the run stays stopped even if the code catches them.
 */
public interface WorkflowScope {

  /** The workflow's id. */
  String workflowId();

  /** The workflow's registered type. */
  String workflowType();

  /** Whether the next call will be answered from the journal (the run is replaying). */
  boolean isReplaying();

  /**
   * Calls {@code command}, journaled; the result is read back from the journal as the class it had
   * (collections as {@code List}, {@code Set}, {@code Map}).
   *
   * @throws WorkflowCommandException if the command failed
   */
  <R> R call(Command<R> command);

  /**
   * Like {@link #call(Command)}, reading the result back as {@code resultType} (for a result whose
   * class Jackson cannot rebuild from its name alone, or to convert it).
   */
  <R> R call(Command<R> command, Class<R> resultType);

  /** Runs {@code fn} once ({@link Workflows.SideEffect}); a replay returns the journaled value. */
  default <T> T sideEffect(String name, Class<T> type, Callable<? extends T> fn) {
    return call(new Workflows.SideEffect<>(name, type, fn));
  }

  /** Starts a child workflow with the deterministic id and waits for its result. */
  default <T> T callChild(String type, @Nullable Object input, Class<T> resultType) {
    return call(Workflows.Call.child(type, input, resultType));
  }

  /** Which version of the change {@code changeId} this run takes ({@link Workflows.Version}). */
  int version(String changeId, int minSupported, int maxSupported);

  /** Sets searchable attributes of this workflow ({@link Workflows.UpsertAttrs}). */
  default void upsertAttributes(Map<String, String> attributes) {
    var _ = call(new Workflows.UpsertAttrs(attributes));
  }

  /** The node's current time (its time source), journaled: a replay returns the same instant. */
  Instant now();

  /**
   * A random generator for this run, seeded by a journaled seed (one journal entry, at the first
   * call): a replay draws the same numbers as long as the code draws them in the same order.
   */
  Random random();

  /** A random UUID string, journaled. */
  String newId();

  /**
   * Sleeps durably: the wake-up instant ({@link #now()} plus {@code duration}, on the node's time
   * source) is journaled, so a run resumed after a crash sleeps only what is left of it, or not at
   * all. The workflow's process waits in its mailbox meanwhile; messages sent to it are discarded
   * (workflow code receives nothing but command results).
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  void sleep(Duration duration);
}
