package dev.baton.process;

/**
 * A process's identity within its scheduler. Pids are never reused: a scheduler hands them out in
 * increasing order from 1, so a stale pid can only miss, never reach another process.
 *
 * @param id the pid's number, from 1
 */
public record Pid(long id) {

  /** Rejects ids below 1. */
  public Pid {
    if (id < 1) {
      throw new IllegalArgumentException("a pid is a positive number, not " + id);
    }
  }

  @Override
  public String toString() {
    return "<" + id + ">";
  }
}
