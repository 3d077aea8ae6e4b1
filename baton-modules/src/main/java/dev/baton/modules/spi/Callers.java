package dev.baton.modules.spi;

import dev.baton.dispatch.CommandContext;
import dev.baton.modules.NotAProcessException;
import dev.baton.process.Pid;

/** Reads the caller of a command as the process it must be. */
public final class Callers {
  private Callers() {}

  /**
   * Returns the pid of the process that yielded the command.
   *
   * @param command the command's name for the error, for example {@code "clock.TickerStart"}
   * @throws NotAProcessException if the caller is not a process
   */
  public static Pid pidOf(CommandContext context, String command) {
    if (context.caller() instanceof Pid pid) {
      return pid;
    }
    throw new NotAProcessException(command, context.caller());
  }
}
