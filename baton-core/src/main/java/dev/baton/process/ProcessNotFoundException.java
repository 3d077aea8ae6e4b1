package dev.baton.process;

/** A pid named no live process: it never existed, or the process has ended. */
public final class ProcessNotFoundException extends ProcessException {
  private final Pid pid;

  public ProcessNotFoundException(Pid pid) {
    super("process " + pid + " not found: it has ended or never existed");
    this.pid = pid;
  }

  /** The pid that named no live process. */
  public Pid pid() {
    return pid;
  }
}
