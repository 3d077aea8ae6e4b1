package dev.baton.modules.clock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.Component;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
import dev.baton.modules.clock.Clock.Tick;
import dev.baton.modules.clock.Clock.TickerId;
import dev.baton.modules.clock.Clock.TickerStart;
import dev.baton.modules.clock.Clock.TickerStop;
import dev.baton.process.Scheduler;
import dev.baton.testing.TestNode;
import dev.baton.time.ManualTimeSource;
import dev.baton.time.Scheduled;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A ticker whose timer runs late by whole periods (a stalled timer thread) skips to the latest due
 * tick, counting the skipped ones as missed, instead of sending a burst of catch-up ticks; and the
 * tick after that is back on the ideal schedule. Boots its own node, because the lateness comes
 * from a time source that adds a delay to the next task it schedules.
 */
class LateTickerTest {
  private static final Instant T0 = ManualTimeSource.DEFAULT_EPOCH;

  @Test
  void aTickLateByWholePeriods_skipsToTheLatestDueTick_andCountsTheRestAsMissed() throws Exception {
    ManualTimeSource manual = new ManualTimeSource();
    LateTimeSource late = new LateTimeSource(manual);
    Boot boot =
        Boot.of(
            Registry.component(),
            Scheduler.component(),
            Component.named(SystemTimeSource.COMPONENT_NAME)
                .onLoad(context -> context.with(TimeSource.KEY, late))
                .build(),
            Dispatcher.component(new ClockModule()));
    boot.load(AppContext.empty());
    AppContext services = boot.start();
    try {
      CompletableFuture<List<Object>> seen = new CompletableFuture<>();
      late.extra.set(Duration.ofMillis(2_500)); // tick 1, due at 1 s, runs at 3.5 s
      services
          .require(Scheduler.KEY)
          .spawnCoroutine(
              (process, input) -> {
                TickerId ticker = process.call(new TickerStart("tick", Duration.ofSeconds(1)));
                List<Object> ticks = new ArrayList<>();
                ticks.add(Objects.requireNonNull(process.receive("tick").payload()));
                ticks.add(Objects.requireNonNull(process.receive("tick").payload()));
                process.call(new TickerStop(ticker));
                ticks.add(ticker);
                seen.complete(ticks);
                return null;
              });
      TestNode.awaitCondition("the ticker to start", () -> manual.pendingTasks() == 1);

      manual.advance(Duration.ofSeconds(4));

      List<Object> ticks = seen.get(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS);
      TickerId ticker = (TickerId) ticks.get(2);
      assertThat(ticks.subList(0, 2))
          .containsExactly(
              new Tick(ticker, T0.plusMillis(3_500), 3, 2),
              new Tick(ticker, T0.plusSeconds(4), 4, 0));
    } finally {
      boot.shutdown();
    }
  }

  /** Delegates to a manual source, adding {@link #extra} to the next task scheduled (once). */
  private static final class LateTimeSource implements TimeSource {
    final ManualTimeSource delegate;
    final AtomicReference<Duration> extra = new AtomicReference<>(Duration.ZERO);

    LateTimeSource(ManualTimeSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public long nanoTime() {
      return delegate.nanoTime();
    }

    @Override
    public Instant now() {
      return delegate.now();
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
      return delegate.schedule(delay.plus(extra.getAndSet(Duration.ZERO)), task);
    }
  }
}
