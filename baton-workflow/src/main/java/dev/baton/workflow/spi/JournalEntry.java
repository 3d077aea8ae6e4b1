package dev.baton.workflow.spi;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One journaled command of a workflow run: the {@code seq}-th command the workflow code called,
 * what it was, and its outcome (exactly one of {@code value} and {@code failure}).
 *
 * @param seq the command's position in the run, from 0
 * @param kind what the command was (its record's binary class name); a replay must yield the same
 * @param name what distinguishes it among commands of one kind (a side effect's name, a version's
 *     change id, a child's type and id; "" for others); a replay must yield the same
 * @param value the result, when it succeeded
 * @param failure the error, when it failed
 */
public record JournalEntry(
    int seq, String kind, String name, @Nullable Payload value, @Nullable Failure failure) {
  /** Checks the fields. */
  public JournalEntry {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be >= 0, was " + seq);
    }
    requireNonNull(kind, "kind");
    requireNonNull(name, "name");
    if ((value == null) == (failure == null)) {
      throw new IllegalArgumentException("an entry has exactly one of value and failure");
    }
  }
}
