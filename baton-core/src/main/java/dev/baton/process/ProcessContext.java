package dev.baton.process;

import dev.baton.dispatch.CommandContext;

/**
 * The {@link CommandContext} of a process: what its handlers and its own code know of it.
 *
 * <p>The context is cancelled when the process ends, however it ends (done, failed, terminated), so
 * handlers still working for it stop and release what they hold.
 */
public interface ProcessContext extends CommandContext {

  /** The process's pid. */
  Pid pid();

  /** The caller's identity, for handlers: the process's pid. */
  @Override
  default Object caller() {
    return pid();
  }
}
