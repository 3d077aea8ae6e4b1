package dev.baton.workflow.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A durable store of workflows, their journals (one {@link JournalEntry} per command a run called,
 * in order) and their searchable attributes.
 *
 * <p><b>Threads.</b> Implementations are thread-safe. Methods block (they may do I/O): the engine
 * calls them from a workflow's own virtual thread or from its module's executor, never from a
 * scheduler worker.
 *
 * <p><b>Atomicity.</b> Each method is atomic on its own. {@link #append}, {@link #complete} and
 * {@link #fail} are conditional: they apply only to a {@link WorkflowStatus#RUNNING} workflow, and
 * an append only at the next position, so two nodes replaying one workflow cannot both advance it:
 * the second gets a {@link JournalConflictException}.
 *
 * <p><b>Errors.</b> Every method throws {@link JournalUnavailableException} when the store fails.
 */
public interface WorkflowJournal extends AutoCloseable {

  /**
   * Records a new running workflow with an empty journal.
   *
   * @return true if created, false if a workflow with that id exists (whatever its status)
   */
  boolean create(String id, String type, Payload input);

  /** The workflow called {@code id}, if there is one. */
  Optional<WorkflowRecord> find(String id);

  /** The workflow's journal, in order (empty for an unknown id). */
  List<JournalEntry> entries(String id);

  /**
   * Appends {@code entry} to a running workflow's journal.
   *
   * @throws JournalConflictException if the workflow is unknown or not running, or {@code
   *     entry.seq()} is not the journal's current length
   */
  void append(String id, JournalEntry entry);

  /**
   * Marks a running workflow completed with {@code result}.
   *
   * @throws JournalConflictException if it is unknown or not running
   */
  void complete(String id, Payload result);

  /**
   * Marks a running workflow failed with {@code failure}.
   *
   * @throws JournalConflictException if it is unknown or not running
   */
  void fail(String id, Failure failure);

  /** The running workflows, oldest first. */
  List<WorkflowRecord> unfinished();

  /**
   * Sets (adds or replaces) searchable attributes of a workflow; attributes not named stay.
   *
   * @throws JournalConflictException if the workflow is unknown
   */
  void upsertAttributes(String id, Map<String, String> attributes);

  /** The workflow's attributes (empty for an unknown id). */
  Map<String, String> attributes(String id);

  /** The ids of the workflows whose attribute {@code name} equals {@code value}, sorted. */
  List<String> findByAttribute(String name, String value);

  /** Releases the store's resources; idempotent. */
  @Override
  void close();
}
