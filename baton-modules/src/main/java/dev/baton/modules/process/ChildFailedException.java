package dev.baton.modules.process;

import dev.baton.modules.ModuleException;
import dev.baton.process.Pid;

/**
 * The child of a {@link Processes.Exec} ended abnormally: its code threw, or it was terminated (by
 * another process, by a link, by the scheduler's shutdown). The cause is the error the child ended
 * with, for example a {@link dev.baton.process.ProcessTerminatedException}.
 */
public final class ChildFailedException extends ModuleException {
  private final Pid child;

  /**
   * @param child the child process
   * @param cause the error it ended with
   */
  public ChildFailedException(Pid child, Throwable cause) {
    super("child process " + child + " failed: " + cause, cause);
    this.child = child;
  }

  /** The child process that failed. */
  public Pid child() {
    return child;
  }
}
