package dev.baton.process;

/** The error a process ends with when it is terminated (forcefully stopped). */
public final class ProcessTerminatedException extends ProcessException {
  private final Pid pid;

  public ProcessTerminatedException(Pid pid, String reason) {
    super("process " + pid + " terminated: " + reason);
    this.pid = pid;
  }

  /** The process that was terminated. */
  public Pid pid() {
    return pid;
  }
}
