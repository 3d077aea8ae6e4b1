package dev.baton.workflow;

import static java.util.Objects.requireNonNull;

import dev.baton.workflow.spi.Failure;
import dev.baton.workflow.spi.JournalConflictException;
import dev.baton.workflow.spi.JournalEntry;
import dev.baton.workflow.spi.Payload;
import dev.baton.workflow.spi.WorkflowJournal;
import dev.baton.workflow.spi.WorkflowRecord;
import dev.baton.workflow.spi.WorkflowStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A journal kept in this JVM's memory: for tests and for embedded nodes that need replay only
 * within one process's life (it does not survive the JVM). Share one instance between nodes of a
 * test to simulate a restart.
 *
 * <p><b>Concurrency.</b> One lock guards all state, so every method is atomic.
 */
public final class InMemoryWorkflowJournal implements WorkflowJournal {
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock; insertion order is creation order.
  private final Map<String, WorkflowRecord> workflows = new LinkedHashMap<>();
  private final Map<String, List<JournalEntry>> entries = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> attributes = new LinkedHashMap<>();

  /** An empty journal. */
  public InMemoryWorkflowJournal() {}

  @Override
  public boolean create(String id, String type, Payload input) {
    requireNonNull(id, "id");
    requireNonNull(type, "type");
    requireNonNull(input, "input");
    lock.lock();
    try {
      if (workflows.containsKey(id)) {
        return false;
      }
      workflows.put(id, new WorkflowRecord(id, type, input, WorkflowStatus.RUNNING, null, null));
      entries.put(id, new ArrayList<>());
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<WorkflowRecord> find(String id) {
    lock.lock();
    try {
      return Optional.ofNullable(workflows.get(id));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<JournalEntry> entries(String id) {
    lock.lock();
    try {
      return List.copyOf(entries.getOrDefault(id, List.of()));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void append(String id, JournalEntry entry) {
    requireNonNull(entry, "entry");
    lock.lock();
    try {
      running(id, "append to");
      List<JournalEntry> journal = requireNonNull(entries.get(id));
      if (entry.seq() != journal.size()) {
        throw new JournalConflictException(
            id,
            "workflow '"
                + id
                + "' has "
                + journal.size()
                + " journal entries; entry "
                + entry.seq()
                + " is not next (another run advanced it)");
      }
      journal.add(entry);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void complete(String id, Payload result) {
    requireNonNull(result, "result");
    lock.lock();
    try {
      WorkflowRecord current = running(id, "complete");
      workflows.put(
          id,
          new WorkflowRecord(
              id, current.type(), current.input(), WorkflowStatus.COMPLETED, result, null));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void fail(String id, Failure failure) {
    requireNonNull(failure, "failure");
    lock.lock();
    try {
      WorkflowRecord current = running(id, "fail");
      workflows.put(
          id,
          new WorkflowRecord(
              id, current.type(), current.input(), WorkflowStatus.FAILED, null, failure));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<WorkflowRecord> unfinished() {
    lock.lock();
    try {
      return workflows.values().stream()
          .filter(record -> record.status() == WorkflowStatus.RUNNING)
          .toList();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void upsertAttributes(String id, Map<String, String> values) {
    Map<String, String> copy = Map.copyOf(values);
    lock.lock();
    try {
      if (!workflows.containsKey(id)) {
        throw new JournalConflictException(id, "no workflow '" + id + "' to set attributes of");
      }
      attributes.computeIfAbsent(id, key -> new TreeMap<>()).putAll(copy);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Map<String, String> attributes(String id) {
    lock.lock();
    try {
      return Map.copyOf(attributes.getOrDefault(id, Map.of()));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<String> findByAttribute(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    lock.lock();
    try {
      return attributes.entrySet().stream()
          .filter(entry -> value.equals(entry.getValue().get(name)))
          .map(Map.Entry::getKey)
          .sorted()
          .toList();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {}

  /** The workflow, if it is running; called with the lock held. */
  private WorkflowRecord running(String id, String what) {
    WorkflowRecord current = workflows.get(id);
    if (current == null) {
      throw new JournalConflictException(id, "cannot " + what + " workflow '" + id + "': unknown");
    }
    if (current.status() != WorkflowStatus.RUNNING) {
      throw new JournalConflictException(
          id, "cannot " + what + " workflow '" + id + "': it is " + current.status());
    }
    return current;
  }
}
