package dev.baton.process;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a process is in its life. The scheduler moves a process only along {@link #next()}; a
 * process in {@link #READY} is queued on exactly one worker queue, which is what keeps it from
 * running on two workers at once.
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
      case BLOCKED, IDLE -> EnumSet.of(READY);
      case COMPLETE -> EnumSet.noneOf(ProcessState.class);
    };
  }
}
