package dev.baton.eval;

import dev.baton.modules.ModuleException;

/** The eval module has stopped: it compiles and runs nothing more, and stopped running scripts. */
public final class EvalStoppedException extends ModuleException {
  /**
   * @param what the command refused or the script stopped
   */
  public EvalStoppedException(String what) {
    super(what + " failed: the eval module has stopped (the node is shutting down)");
  }
}
