package dev.baton.eval;

import dev.baton.modules.ModuleException;

/**
 * A script threw an error it did not catch (including a failed command's error it let through, and
 * the {@code ReferenceError} or {@code TypeError} of reaching for a host facility the sandbox does
 * not offer).
 */
public final class ScriptFailedException extends ModuleException {
  private final String script;
  private final String errorName;
  private final String errorMessage;
  private final int line;

  /**
   * @param script the script's name
   * @param errorName the error's name, for example {@code TypeError}, or the simple class name of a
   *     failed command's error
   * @param errorMessage the error's message
   * @param line the line where it was thrown, from 1, or 0 if unknown
   */
  public ScriptFailedException(String script, String errorName, String errorMessage, int line) {
    super(
        "script '"
            + script
            + "' threw "
            + errorName
            + (line > 0 ? " at line " + line : "")
            + ": "
            + errorMessage);
    this.script = script;
    this.errorName = errorName;
    this.errorMessage = errorMessage;
    this.line = line;
  }

  /** The script's name. */
  public String script() {
    return script;
  }

  /** The error's name, for example {@code TypeError}. */
  public String errorName() {
    return errorName;
  }

  /** The error's own message. */
  public String errorMessage() {
    return errorMessage;
  }

  /** The line where it was thrown, from 1, or 0 if unknown. */
  public int line() {
    return line;
  }
}
