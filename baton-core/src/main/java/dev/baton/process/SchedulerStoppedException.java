package dev.baton.process;

/** A spawn was refused because the scheduler is shutting down or has shut down. */
public final class SchedulerStoppedException extends ProcessException {

  public SchedulerStoppedException() {
    super("the scheduler is shutting down and accepts no new processes");
  }
}
