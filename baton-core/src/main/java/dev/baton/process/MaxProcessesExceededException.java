package dev.baton.process;

/** A spawn was refused because the scheduler already runs as many processes as it may. */
public final class MaxProcessesExceededException extends ProcessException {

  public MaxProcessesExceededException(int limit) {
    super(
        "cannot spawn: the scheduler already runs its maximum of "
            + limit
            + " processes; wait for some to end or raise maxProcesses");
  }
}
