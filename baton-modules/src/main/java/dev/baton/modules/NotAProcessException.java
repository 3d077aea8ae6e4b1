package dev.baton.modules;

/**
 * A command that acts for a process (it sends the caller messages, or creates a resource the caller
 * owns) was dispatched by a caller that is not a process, such as a test or a bridge using {@link
 * dev.baton.dispatch.CommandContext#of}. Yield it from a process instead.
 */
public final class NotAProcessException extends ModuleException {

  /**
   * @param command the command's name, for example {@code clock.TickerStart}
   * @param caller the caller the context named
   */
  public NotAProcessException(String command, Object caller) {
    super(
        command
            + " must be yielded by a process (it owns what the command creates and receives its"
            + " messages), but the caller was "
            + caller
            + "; yield it from a step process or a coroutine");
  }
}
