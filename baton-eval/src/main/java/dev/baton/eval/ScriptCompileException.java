package dev.baton.eval;

import dev.baton.modules.ModuleException;

/**
 * A script's source does not parse: {@link Eval.Compile}, {@link Eval.Run} or {@link
 * Eval.CreateProcess} refused it before running anything.
 */
public final class ScriptCompileException extends ModuleException {
  private final String script;
  private final int line;
  private final int column;

  /**
   * @param script the script's name
   * @param line the line of the error, from 1, or 0 if unknown
   * @param column the column of the error, from 1, or 0 if unknown
   * @param reason the parser's message
   */
  public ScriptCompileException(String script, int line, int column, String reason) {
    super(
        "script '"
            + script
            + "' does not compile at line "
            + line
            + ", column "
            + column
            + ": "
            + reason
            + "; fix the source and compile it again");
    this.script = script;
    this.line = line;
    this.column = column;
  }

  /** The script's name. */
  public String script() {
    return script;
  }

  /** The line of the error, from 1, or 0 if unknown. */
  public int line() {
    return line;
  }

  /** The column of the error, from 1, or 0 if unknown. */
  public int column() {
    return column;
  }
}
