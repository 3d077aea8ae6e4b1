package dev.baton.modules.exec;

import dev.baton.modules.ModuleException;

/**
 * {@link Exec.Start} reached the exec module after it stopped (the node is shutting down): no
 * program was left running. Nothing to retry on this node.
 */
public final class ExecStoppedException extends ModuleException {

  /**
   * @param program the program that was not started, or was killed at once
   */
  public ExecStoppedException(String program) {
    super(
        "could not start program "
            + program
            + ": the exec module has stopped (the node is shutting down)");
  }
}
