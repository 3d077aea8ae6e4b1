package dev.baton.eval;

import dev.baton.modules.ModuleException;

/**
 * A value cannot cross the sandbox: a Java input or command result of a type scripts cannot see, or
 * a script result that is a function, symbol, error, date or other non-data value, or nests deeper
 * than {@value Eval#MAX_DEPTH} levels. See {@link Eval} for the conversion.
 */
public final class ScriptValueException extends ModuleException {
  /**
   * @param message what could not be converted, and where
   */
  public ScriptValueException(String message) {
    super(message);
  }
}
