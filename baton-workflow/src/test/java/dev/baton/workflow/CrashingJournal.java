package dev.baton.workflow;

import dev.baton.workflow.spi.Failure;
import dev.baton.workflow.spi.JournalEntry;
import dev.baton.workflow.spi.JournalUnavailableException;
import dev.baton.workflow.spi.Payload;
import dev.baton.workflow.spi.WorkflowJournal;
import dev.baton.workflow.spi.WorkflowRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A test decorator that crashes the node right after one chosen entry is journaled: the append
 * reaches the store, then the crash runs. In-process tests throw (the run stops there and the
 * workflow stays unfinished); {@link KillNode} halts the JVM.
 */
final class CrashingJournal implements WorkflowJournal {
  private final WorkflowJournal store;
  private final String workflowId;
  private final int seq;
  private final Runnable crash;

  /** Crashes by throwing {@link JournalUnavailableException} from the append. */
  CrashingJournal(WorkflowJournal store, String workflowId, int seq) {
    this(
        store,
        workflowId,
        seq,
        () -> {
          throw new JournalUnavailableException("simulated crash after entry " + seq, null);
        });
  }

  /** Crashes by running {@code crash} once the append has reached the store. */
  CrashingJournal(WorkflowJournal store, String workflowId, int seq, Runnable crash) {
    this.store = store;
    this.workflowId = workflowId;
    this.seq = seq;
    this.crash = crash;
  }

  @Override
  public void append(String id, JournalEntry entry) {
    store.append(id, entry);
    if (id.equals(workflowId) && entry.seq() == seq) {
      crash.run();
    }
  }

  @Override
  public boolean create(String id, String type, Payload input) {
    return store.create(id, type, input);
  }

  @Override
  public Optional<WorkflowRecord> find(String id) {
    return store.find(id);
  }

  @Override
  public List<JournalEntry> entries(String id) {
    return store.entries(id);
  }

  @Override
  public void complete(String id, Payload result) {
    store.complete(id, result);
  }

  @Override
  public void fail(String id, Failure failure) {
    store.fail(id, failure);
  }

  @Override
  public List<WorkflowRecord> unfinished() {
    return store.unfinished();
  }

  @Override
  public void upsertAttributes(String id, Map<String, String> attributes) {
    store.upsertAttributes(id, attributes);
  }

  @Override
  public Map<String, String> attributes(String id) {
    return store.attributes(id);
  }

  @Override
  public List<String> findByAttribute(String name, String value) {
    return store.findByAttribute(name, value);
  }

  @Override
  public void close() {
    store.close();
  }
}
