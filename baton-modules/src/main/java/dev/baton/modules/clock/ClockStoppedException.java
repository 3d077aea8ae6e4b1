package dev.baton.modules.clock;

import dev.baton.modules.ModuleException;

/**
 * The clock module stopped (the node is shutting down) while a {@link Clock.Sleep} or {@link
 * Clock.TimerWait} was pending, or before a clock command was handled: the sleep will never end and
 * the timer will never fire. A process that gets it is being shut down with the node; it should
 * finish what it is doing rather than start new timers.
 */
public final class ClockStoppedException extends ModuleException {

  /**
   * @param command what was pending or asked for, for example {@code "clock.TimerWait on timer 7"}
   */
  public ClockStoppedException(String command) {
    super(
        command
            + " ended without its time: the clock module stopped (the node is shutting down), so"
            + " no sleep, timer or ticker will fire any more; finish up instead of waiting");
  }
}
