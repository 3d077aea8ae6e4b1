package dev.baton.modules.exec;

import static java.util.Objects.requireNonNull;

import dev.baton.modules.ModuleException;
import org.jspecify.annotations.Nullable;

/**
 * {@link Exec.Start} could not start the program: it was not found or not executable, or the
 * working directory does not exist. The cause, when there is one, is the operating system's error
 * as Java reported it.
 */
public final class ExecStartException extends ModuleException {
  private final String program;

  /**
   * @param program the program that could not start
   * @param reason what went wrong
   * @param cause the underlying error, if any
   */
  public ExecStartException(String program, String reason, @Nullable Throwable cause) {
    super("could not start program " + program + ": " + reason, cause);
    this.program = requireNonNull(program, "program");
  }

  /** The program that could not start (the first element of the command). */
  public String program() {
    return program;
  }
}
