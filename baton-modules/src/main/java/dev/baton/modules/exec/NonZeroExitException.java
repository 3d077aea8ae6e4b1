package dev.baton.modules.exec;

import static java.util.Objects.requireNonNull;

import dev.baton.modules.ModuleException;

/**
 * A program waited for with {@link Exec.ProcessWait} exited with a non-zero code (like Python's
 * {@code CalledProcessError} under {@code check=True}). The {@link #status()} holds the code and
 * the captured output, often the best explanation of what went wrong.
 */
public final class NonZeroExitException extends ModuleException {
  private final String program;
  private final ExitStatus status;

  /**
   * @param program the program that ran
   * @param status how it ended
   */
  public NonZeroExitException(String program, ExitStatus status) {
    super(message(program, status));
    this.program = requireNonNull(program, "program");
    this.status = status;
  }

  /** The program that ran (the first element of the command). */
  public String program() {
    return program;
  }

  /** How it ended, with its output. */
  public ExitStatus status() {
    return status;
  }

  /** Its exit code. */
  public int exitCode() {
    return status.exitCode();
  }

  private static String message(String program, ExitStatus status) {
    StringBuilder message =
        new StringBuilder("program ")
            .append(program)
            .append(" exited with code ")
            .append(status.exitCode());
    if (status.killed()) {
      message.append(" (it was killed");
      if (status.exitCode() > 128) {
        message.append(" by signal ").append(status.exitCode() - 128);
      }
      message.append(')');
    }
    String stderr = status.stderrText().strip();
    if (!stderr.isEmpty()) {
      message
          .append("; stderr: ")
          .append(stderr.length() > 200 ? stderr.substring(0, 200) + "..." : stderr);
    }
    message.append(
        "; the status carries the captured output (wait with checkExitCode=false to accept any"
            + " code)");
    return message.toString();
  }
}
