package dev.baton.modules.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.Component;
import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
import dev.baton.modules.clock.Clock.Fire;
import dev.baton.modules.clock.Clock.TickerId;
import dev.baton.modules.clock.Clock.TickerStart;
import dev.baton.modules.clock.Clock.TickerStop;
import dev.baton.modules.clock.Clock.TimerId;
import dev.baton.modules.clock.Clock.TimerReset;
import dev.baton.modules.clock.Clock.TimerStart;
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import dev.baton.time.ManualTimeSource;
import dev.baton.time.Scheduled;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Timers and tickers when the time source misbehaves at the worst moment: a ticker stopped
 * re-entrantly on the timer thread while it sends, and a reset whose scheduling throws. Boots its
 * own node over a manual time source with hooks.
 */
class ClockTimeSourceHooksTest {
  private final ManualTimeSource manual = new ManualTimeSource();
  private final HookedTimeSource time = new HookedTimeSource(manual);
  private final ClockModule module = new ClockModule();
  private @Nullable Boot boot;
  private @Nullable AppContext services;

  @BeforeEach
  void start() {
    Boot booted =
        Boot.of(
            Registry.component(),
            Scheduler.component(),
            Component.named(SystemTimeSource.COMPONENT_NAME)
                .onLoad(context -> context.with(TimeSource.KEY, time))
                .build(),
            Dispatcher.component(module));
    booted.load(AppContext.empty());
    services = booted.start();
    boot = booted;
  }

  @AfterEach
  void stop() {
    Objects.requireNonNull(boot).shutdown();
  }

  @Test
  void aTickerStoppedOnTheTimerThreadWhileItTicks_isNotReArmed() throws Exception {
    CompletableFuture<Pid> owner = startOwner(null);
    CommandContext context = context(owner.get(10, TimeUnit.SECONDS));
    TickerId ticker = (TickerId) handle(context, new TickerStart("tick", Duration.ofSeconds(1)));
    time.onNow.set(() -> handle(context, new TickerStop(ticker))); // during the tick's send

    manual.advance(Duration.ofSeconds(1));

    assertThat(manual.pendingTasks()).as("the stopped ticker re-armed itself").isZero();
    assertThat(module.tickerCount()).isZero();
    Objects.requireNonNull(services).require(Scheduler.KEY).send(owner.get(), "done", null);
  }

  @Test
  void aResetWhoseSchedulingThrows_leavesTheTimerArmedWithItsOldFire() throws Exception {
    CompletableFuture<Object> fire = new CompletableFuture<>();
    CompletableFuture<Pid> owner = startOwner(fire);
    CommandContext context = context(owner.get(10, TimeUnit.SECONDS));
    TimerId timer = (TimerId) handle(context, new TimerStart(Duration.ofSeconds(5), "fire"));

    time.failSchedule.set(true);
    assertThatThrownBy(() -> handle(context, new TimerReset(timer, Duration.ofSeconds(1))))
        .isInstanceOf(IllegalStateException.class);
    time.failSchedule.set(false);

    assertThat(manual.pendingTasks()).as("the old fire is still scheduled").isEqualTo(1);
    manual.advance(Duration.ofSeconds(5));
    assertThat(fire.get(10, TimeUnit.SECONDS))
        .isEqualTo(new Fire(timer, ManualTimeSource.DEFAULT_EPOCH.plusSeconds(5)));
    assertThat(module.timerCount()).as("released once its fire was sent").isZero();
  }

  /** A process that waits for a fire (completing {@code fire}) or, without one, for "done". */
  private CompletableFuture<Pid> startOwner(@Nullable CompletableFuture<Object> fire) {
    CompletableFuture<Pid> pid = new CompletableFuture<>();
    Objects.requireNonNull(services)
        .require(Scheduler.KEY)
        .spawnCoroutine(
            (process, input) -> {
              pid.complete(process.pid());
              if (fire != null) {
                fire.complete(Objects.requireNonNull(process.receive("fire").payload()));
              } else {
                process.receive("done");
              }
              return null;
            });
    return pid;
  }

  private CommandContext context(Pid owner) {
    return CommandContext.of(owner, Objects.requireNonNull(services), new CancellationSignal());
  }

  /** Runs {@code command}'s handler, which completes at once, and returns its result. */
  private Object handle(CommandContext context, Command<?> command) {
    AtomicReference<@Nullable Object> result = new AtomicReference<>();
    try {
      Objects.requireNonNull(
              Objects.requireNonNull(services).require(Registry.KEY).handler(command.commandId()))
          .handle(context, command, 1, (tag, value, error) -> result.set(value));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return Objects.requireNonNull(result.get(), "result of " + command);
  }

  /**
   * A manual time source that runs {@link #onNow} once on the next {@code now()} (the module reads
   * the wall clock while it builds a tick, just before sending it), and throws from {@code
   * schedule} while {@link #failSchedule} is set (as a closing executor does).
   */
  private static final class HookedTimeSource implements TimeSource {
    final ManualTimeSource delegate;
    final AtomicReference<@Nullable Runnable> onNow = new AtomicReference<>();
    final AtomicBoolean failSchedule = new AtomicBoolean();

    HookedTimeSource(ManualTimeSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public long nanoTime() {
      return delegate.nanoTime();
    }

    @Override
    public Instant now() {
      Runnable hook = onNow.getAndSet(null);
      if (hook != null) {
        hook.run();
      }
      return delegate.now();
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
      if (failSchedule.get()) {
        throw new IllegalStateException("the time source is closed");
      }
      return delegate.schedule(delay, task);
    }
  }
}
