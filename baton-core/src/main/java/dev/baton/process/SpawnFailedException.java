package dev.baton.process;

/** A process's {@code init} threw, so the spawn created no process; the cause is what it threw. */
public final class SpawnFailedException extends ProcessException {

  public SpawnFailedException(String processType, Throwable cause) {
    super("spawning " + processType + " failed in init: " + cause, cause);
  }
}
