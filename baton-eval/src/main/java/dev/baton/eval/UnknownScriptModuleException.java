package dev.baton.eval;

import dev.baton.modules.ModuleException;
import java.util.Set;

/** A command whitelisted a script module the eval module does not have. */
public final class UnknownScriptModuleException extends ModuleException {
  private final String name;

  /**
   * @param name the unknown module's name
   * @param known the modules there are
   */
  public UnknownScriptModuleException(String name, Set<String> known) {
    super(
        "no script module named '"
            + name
            + "'; the eval module has "
            + known
            + " (register more with EvalModule.Builder.scriptModule)");
    this.name = name;
  }

  /** The unknown module's name. */
  public String name() {
    return name;
  }
}
