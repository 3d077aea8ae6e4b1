package dev.baton.eval;

import dev.baton.modules.ModuleException;

/** A script used more than one of its {@link Eval.Limits} and was stopped. */
public final class ScriptLimitExceededException extends ModuleException {

  /** Which limit. */
  public enum Limit {
    /** {@link Eval.Limits#maxStatements()}. */
    STATEMENTS,
    /** {@link Eval.Limits#cpuTime()}. */
    CPU_TIME,
    /** {@link Eval.Limits#wallTime()}. */
    WALL_TIME,
    /** {@link Eval.Limits#maxAllocatedBytes()}, or the heap itself running out. */
    MEMORY,
    /** {@link Eval.Limits#maxCommands()}: a script process yielded too many commands. */
    COMMANDS
  }

  private final String script;
  private final Limit limit;

  /**
   * @param script the script's name
   * @param limit the limit exceeded
   * @param detail the limit's value
   */
  public ScriptLimitExceededException(String script, Limit limit, String detail) {
    super(
        "script '"
            + script
            + "' was stopped: it exceeded its "
            + limit
            + " limit ("
            + detail
            + "); make it do less or raise Eval.Limits");
    this.script = script;
    this.limit = limit;
  }

  /** The script's name. */
  public String script() {
    return script;
  }

  /** The limit exceeded. */
  public Limit limit() {
    return limit;
  }
}
