package dev.baton.process;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a process is in its life. The scheduler moves a process only along {@link #next()}; a step
 * process in {@link #READY} is queued on exactly one worker queue, which is what keeps it from
 * running on two workers at once. A coroutine goes from waiting straight back to {@link #RUNNING}:
 * the JDK's scheduler, not Baton's queues, resumes its virtual thread.
 *
 * <p>With assertions enabled (as in tests), every transition the runtime makes is checked against
 * this table and recorded, and a test fails if one of the table's transitions is never exercised.
 */
public enum ProcessState {
  /** Queued to run. */
  READY,
  /** Running a step on a worker. */
  RUNNING,
  /** Waiting for one of its yields to complete. */
  BLOCKED,
  /** Waiting for a message. */
  IDLE,
  /** Ended; terminal. */
  COMPLETE;

  /** The states this one may move to. */
  public Set<ProcessState> next() {
    return switch (this) {
      case READY -> EnumSet.of(RUNNING);
      case RUNNING -> EnumSet.of(READY, BLOCKED, IDLE, COMPLETE);
      case BLOCKED, IDLE -> EnumSet.of(READY, RUNNING);
      case COMPLETE -> EnumSet.noneOf(ProcessState.class);
    };
  }
}
