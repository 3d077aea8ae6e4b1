package dev.baton.modules.clock;

import dev.baton.modules.ModuleException;

/**
 * A {@link Clock.TimerWait} was waiting for a timer that was stopped ({@link Clock.TimerStop})
 * before it fired, so it will never fire. The process decides what a stopped timer means to it (a
 * cancelled deadline, usually), and may start a new timer.
 */
public final class TimerStoppedException extends ModuleException {
  private final Clock.TimerId timer;

  /**
   * @param timer the timer that was stopped
   */
  public TimerStoppedException(Clock.TimerId timer) {
    super(
        "timer "
            + timer.value()
            + " was stopped before it fired, so the wait for it ends without a fire time; start a"
            + " new timer to wait again");
    this.timer = timer;
  }

  /** The timer that was stopped. */
  public Clock.TimerId timer() {
    return timer;
  }
}
