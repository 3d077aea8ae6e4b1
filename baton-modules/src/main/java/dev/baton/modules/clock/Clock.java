package dev.baton.modules.clock;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The clock module's commands, their ids (DESIGN.md's table), the handles they return and the
 * payloads of the messages they send. {@link ClockModule} handles them.
 *
 * <p>Every value here is an immutable record, safe to share between threads.
 */
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

  /**
   * The shortest {@link TickerStart} period: 1 ms. A shorter one would keep the node's single timer
   * thread busy re-running one ticker (and, against a full mailbox, dropping its ticks) while every
   * other timer of the node waits behind it.
   */
  public static final Duration MIN_TICKER_PERIOD = Duration.ofMillis(1);

  private Clock() {}

  // ---- handles ----

  /**
   * A ticker started by {@link TickerStart}, private to the process that started it.
   *
   * @param value the handle's number; never reused within a node
   */
  public record TickerId(long value) {}

  /**
   * A timer started by {@link TimerStart}, private to the process that started it.
   *
   * @param value the handle's number; never reused within a node
   */
  public record TimerId(long value) {}

  // ---- commands ----

  /**
   * Completes after {@code duration} on the node's time source, with the instant it woke. A zero or
   * negative duration completes at once (as the seed's sleep does). Any caller may sleep, process
   * or not; if the process ends (or the yield's deadline passes) first, the sleep's timer is
   * cancelled and the tag completes with a {@link java.util.concurrent.CancellationException} the
   * runtime drops.
   *
   * <p>Fails with {@link ClockStoppedException} if the clock module stops (the node is shutting
   * down) while it sleeps.
   *
   * <p>Yielded with a deadline that passes first, the caller gets its {@link
   * dev.baton.process.YieldTimeoutException} and the sleep's task is cancelled at the deadline (the
   * yield's own context is cancelled then), so nothing is left scheduled.
   *
   * @param duration how long to sleep
   */
  public record Sleep(Duration duration) implements Command<Instant> {
    /** Requires a duration. */
    public Sleep {
      requireNonNull(duration, "duration");
    }

    /** Sleeps for {@code millis} milliseconds. */
    public static Sleep ofMillis(long millis) {
      return new Sleep(Duration.ofMillis(millis));
    }

    @Override
    public CommandId commandId() {
      return SLEEP;
    }
  }

  /**
   * Starts a ticker that sends its owner a {@code Message(topic, Tick, null)} every {@code period},
   * on an ideal schedule (tick {@code n} is due {@code n × period} after the start, so lateness
   * never accumulates). Completes with the ticker's handle. The ticker stops on {@link TickerStop}
   * or when its owner ends.
   *
   * <p>A tick that cannot be delivered because the owner's mailbox is full, or that fell due while
   * the timer thread was late by a whole period, is dropped, and the next delivered {@link Tick}
   * counts it in {@link Tick#missed()} ({@link ClockModule#droppedMessages()} counts the dropped
   * sends). A dropped tick does not move the schedule: the next tick is still due on the ideal
   * schedule, never retried at once.
   *
   * @param topic the topic of the tick messages; not blank, and not a reserved topic (starting with
   *     {@code @})
   *     <p>The constructor throws {@link IllegalArgumentException} naming {@code period} if it is
   *     shorter than {@link #MIN_TICKER_PERIOD}.
   * @param period the time between ticks; at least {@link #MIN_TICKER_PERIOD} (1 ms)
   */
  public record TickerStart(String topic, Duration period) implements Command<TickerId> {
    /** Validates the topic and the period. */
    public TickerStart {
      requireTopic(topic);
      requireNonNull(period, "period");
      if (period.compareTo(MIN_TICKER_PERIOD) < 0) {
        throw new IllegalArgumentException(
            "period must be at least " + MIN_TICKER_PERIOD.toMillis() + " ms, was " + period);
      }
    }

    @Override
    public CommandId commandId() {
      return TICKER_START;
    }
  }

  /**
   * Stops a ticker; completes with {@code true}. Nothing is sent after it completes; ticks already
   * queued in the mailbox may still be received.
   *
   * <p>Fails with {@link dev.baton.modules.HandleNotFoundException} if the caller does not own the
   * ticker (never started, already stopped, or another process's).
   *
   * @param ticker the ticker to stop
   */
  public record TickerStop(TickerId ticker) implements Command<Boolean> {
    /** Requires a ticker. */
    public TickerStop {
      requireNonNull(ticker, "ticker");
    }

    @Override
    public CommandId commandId() {
      return TICKER_STOP;
    }
  }

  /**
   * Starts a one-shot timer that fires after {@code delay}: it then sends its owner a {@code
   * Message(topic, Fire, null)} if a topic was given, and completes every pending {@link
   * TimerWait}. Completes with the timer's handle.
   *
   * <p><b>The handle ends once the fire is delivered.</b> With a topic, the timer is released as
   * soon as its message is sent (or dropped); without one, when a {@link TimerWait} returns the
   * fire (the waits pending at the fire, or the first wait after it). So the Erlang {@code
   * send_after} / Go {@code time.After} style (a timer with a topic per request, then {@code
   * receive}) leaves nothing behind. After that, {@link TimerWait}, {@link TimerReset} and {@link
   * TimerStop} name a handle that is gone and fail with {@link
   * dev.baton.modules.HandleNotFoundException}: to fire again, start a new timer. A timer without a
   * topic that has fired but not yet been waited for keeps its handle, and {@link TimerReset}
   * re-arms it as Go's does.
   *
   * <p><b>A fire to a full mailbox is lost.</b> If the owner's mailbox is full when the timer
   * fires, the fire message is dropped (never retried) and counted in {@link
   * ClockModule#droppedMessages()}; pending {@link TimerWait}s still complete. A process that
   * cannot afford to lose a deadline keeps its mailbox drained, or waits with {@link TimerWait}
   * instead.
   *
   * @param delay how long until the timer fires; zero fires as soon as possible; not negative
   * @param topic the topic of the fire message, or null to send none (for {@link TimerWait}-only
   *     timers); if given, not blank and not reserved (starting with {@code @})
   */
  public record TimerStart(Duration delay, @Nullable String topic) implements Command<TimerId> {
    /** Validates the delay and the topic. */
    public TimerStart {
      requireNotNegative(delay, "delay");
      if (topic != null) {
        requireTopic(topic);
      }
    }

    /** A timer that sends no message: its owner waits for it with {@link TimerWait}. */
    public TimerStart(Duration delay) {
      this(delay, null);
    }

    @Override
    public CommandId commandId() {
      return TIMER_START;
    }
  }

  /**
   * Waits for a timer to fire and completes with the instant it fired; at once if it has already
   * fired (and not been reset since). Returning the fire releases the timer (see {@link
   * TimerStart}), so a second wait after that fails with {@link
   * dev.baton.modules.HandleNotFoundException}. If the process ends while waiting, the wait is
   * dropped.
   *
   * <p>Fails with {@link TimerStoppedException} if the timer is stopped while this waits, with
   * {@link ClockStoppedException} if the clock module stops (node shutdown) while this waits, and
   * with {@link dev.baton.modules.HandleNotFoundException} if the caller does not own the timer
   * (never started, stopped, released after its fire was delivered, or another process's).
   *
   * <p>Yielded with a deadline that passes first, the caller gets its {@link
   * dev.baton.process.YieldTimeoutException} and only the wait is dropped (the yield's own context
   * is cancelled at the deadline): the timer stays armed and owned, and a later wait gets its fire.
   *
   * @param timer the timer to wait for
   */
  public record TimerWait(TimerId timer) implements Command<Instant> {
    /** Requires a timer. */
    public TimerWait {
      requireNonNull(timer, "timer");
    }

    @Override
    public CommandId commandId() {
      return TIMER_WAIT;
    }
  }

  /**
   * Stops a timer and releases its handle. Completes with {@code true} if this prevented the fire
   * (the timer was armed), {@code false} if it had already fired (a timer without a topic that no
   * {@link TimerWait} has returned yet). Pending {@link TimerWait}s of an armed timer fail with
   * {@link TimerStoppedException}. Nothing is sent after it completes; a fire message already
   * queued may still be received.
   *
   * <p>Fails with {@link dev.baton.modules.HandleNotFoundException} if the caller does not own the
   * timer (never started, already stopped, released after its fire was delivered, or another
   * process's).
   *
   * @param timer the timer to stop
   */
  public record TimerStop(TimerId timer) implements Command<Boolean> {
    /** Requires a timer. */
    public TimerStop {
      requireNonNull(timer, "timer");
    }

    @Override
    public CommandId commandId() {
      return TIMER_STOP;
    }
  }

  /**
   * Re-arms a timer to fire {@code delay} from now, as Go's {@code Timer.Reset} does. Completes
   * with {@code true} if the timer was armed (its old fire is replaced; pending {@link TimerWait}s
   * wait for the new one), {@code false} if it had fired but was not yet released (a timer without
   * a topic whose fire no {@link TimerWait} has returned): it is armed again all the same.
   *
   * <p>Fails with {@link dev.baton.modules.HandleNotFoundException} if the caller does not own the
   * timer, including one released by {@link TimerStop} or after its fire was delivered (see {@link
   * TimerStart}): unlike Go, such a timer cannot be reset; start a new one.
   *
   * @param timer the timer to re-arm
   * @param delay the new delay from now; zero fires as soon as possible; not negative
   */
  public record TimerReset(TimerId timer, Duration delay) implements Command<Boolean> {
    /** Validates the timer and the delay. */
    public TimerReset {
      requireNonNull(timer, "timer");
      requireNotNegative(delay, "delay");
    }

    @Override
    public CommandId commandId() {
      return TIMER_RESET;
    }
  }

  // ---- message payloads ----

  /**
   * The payload of a ticker's message.
   *
   * @param ticker the ticker that sent it
   * @param at when the tick was sent, on the node's wall clock
   * @param sequence the tick's index on the ideal schedule, from 1: tick {@code n} fell due {@code
   *     n × period} after the start
   * @param missed how many ticks before this one were dropped since the last delivered tick
   *     (mailbox full, or the timer thread was late by whole periods); {@code sequence - missed -
   *     1} is the previous delivered tick's sequence
   */
  public record Tick(TickerId ticker, Instant at, long sequence, long missed) {}

  /**
   * The payload of a timer's fire message.
   *
   * @param timer the timer that fired
   * @param at when it fired, on the node's wall clock (what {@link TimerWait} completes with)
   */
  public record Fire(TimerId timer, Instant at) {}

  private static void requireTopic(String topic) {
    requireNonNull(topic, "topic");
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank");
    }
    if (topic.startsWith("@")) {
      throw new IllegalArgumentException(
          "topic '" + topic + "' is reserved for the runtime's notifications (starts with @)");
    }
  }

  private static void requireNotNegative(Duration duration, String name) {
    requireNonNull(duration, name);
    if (duration.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + duration);
    }
  }
}
