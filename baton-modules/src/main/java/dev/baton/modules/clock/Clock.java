package dev.baton.modules.clock;

import dev.baton.dispatch.CommandId;

/** The clock module's commands and their ids (DESIGN.md's table). */
public final class Clock {
  /** The id of {@link Sleep}. */
  public static final CommandId SLEEP = CommandId.of(10);

  /** The id of {@link TickerStart}. */
  public static final CommandId TICKER_START = CommandId.of(11);

  /** The id of {@link TickerStop}. */
  public static final CommandId TICKER_STOP = CommandId.of(12);

  /** The id of {@link TimerStart}. */
  public static final CommandId TIMER_START = CommandId.of(13);

  /** The id of {@link TimerWait}. */
  public static final CommandId TIMER_WAIT = CommandId.of(14);

  /** The id of {@link TimerStop}. */
  public static final CommandId TIMER_STOP = CommandId.of(15);

  /** The id of {@link TimerReset}. */
  public static final CommandId TIMER_RESET = CommandId.of(16);

  private Clock() {}
}
