package dev.baton.tasks;

/** How severe a {@link TaskEvent} is; a listener receives its level and those above it. */
public enum EventLevel {
  DEBUG,
  INFO,
  WARNING,
  ERROR;

  /** Whether an event of this level reaches a listener registered at {@code threshold}. */
  public boolean reaches(EventLevel threshold) {
    return compareTo(threshold) >= 0;
  }
}
