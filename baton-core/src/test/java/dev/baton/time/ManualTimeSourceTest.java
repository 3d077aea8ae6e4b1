package dev.baton.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualTimeSourceTest {
  private final ManualTimeSource time = new ManualTimeSource();
  private final List<String> ran = new ArrayList<>();

  @Test
  void time_movesOnlyWhenAdvanced() {
    assertThat(time.nanoTime()).isZero();
    assertThat(time.now()).isEqualTo(ManualTimeSource.DEFAULT_EPOCH);

    time.advance(Duration.ofMillis(1_500));

    assertThat(time.nanoTime()).isEqualTo(1_500_000_000L);
    assertThat(time.now()).isEqualTo(Instant.parse("2026-01-01T00:00:01.500Z"));
  }

  @Test
  void advance_runsDueTasksInDueOrder_tiesInScheduleOrder_eachAtItsDueTime() {
    time.schedule(Duration.ofSeconds(3), () -> ran.add("c@" + time.nanoTime()));
    time.schedule(Duration.ofSeconds(1), () -> ran.add("a@" + time.nanoTime()));
    time.schedule(Duration.ofSeconds(1), () -> ran.add("b@" + time.nanoTime()));
    time.schedule(Duration.ofSeconds(10), () -> ran.add("late"));

    time.advance(Duration.ofSeconds(5));

    assertThat(ran).containsExactly("a@1000000000", "b@1000000000", "c@3000000000");
    assertThat(time.nanoTime()).isEqualTo(5_000_000_000L);
    assertThat(time.pendingTasks()).isEqualTo(1);
  }

  @Test
  void aTaskScheduledByATaskWithinTheWindow_runsInTheSameAdvance() {
    time.schedule(
        Duration.ofSeconds(1),
        () -> {
          ran.add("first");
          time.schedule(Duration.ofSeconds(1), () -> ran.add("second@" + time.nanoTime()));
        });

    time.advance(Duration.ofSeconds(2));

    assertThat(ran).containsExactly("first", "second@2000000000");
  }

  @Test
  void cancel_beforeItRuns_preventsTheRun_andReportsWhetherItDid() {
    Scheduled cancelled = time.schedule(Duration.ofSeconds(1), () -> ran.add("cancelled"));
    Scheduled kept = time.schedule(Duration.ofSeconds(1), () -> ran.add("kept"));

    assertThat(cancelled.cancel()).isTrue();
    time.advance(Duration.ofSeconds(1));

    assertThat(ran).containsExactly("kept");
    assertThat(cancelled.cancel()).isFalse();
    assertThat(kept.cancel()).isFalse();
  }

  @Test
  void zeroOrNegativeDelay_runsAtTheNextAdvance() {
    time.schedule(Duration.ofSeconds(-5), () -> ran.add("negative"));
    time.schedule(Duration.ZERO, () -> ran.add("zero"));

    time.advance(Duration.ZERO);

    assertThat(ran).containsExactly("negative", "zero");
  }

  @Test
  void aTaskThatAdvancesTime_neverMakesItGoBackwards() {
    time.schedule(Duration.ofSeconds(1), () -> time.advance(Duration.ofSeconds(20)));

    time.advance(Duration.ofSeconds(10));

    assertThat(time.nanoTime()).isEqualTo(21_000_000_000L);
  }

  @Test
  void aTaskThatThrows_doesNotStopTheOthers_andItsErrorReachesTheTest() {
    time.schedule(
        Duration.ofSeconds(1),
        () -> {
          throw new IllegalStateException("first");
        });
    time.schedule(Duration.ofSeconds(2), () -> ran.add("second"));

    assertThatThrownBy(() -> time.advance(Duration.ofSeconds(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("first");
    assertThat(ran).containsExactly("second");
    assertThat(time.nanoTime()).isEqualTo(3_000_000_000L);
  }

  @Test
  void aDelayBeyondTheRangeOfNanoseconds_isNeverDue_ratherThanDueAtOnce() {
    time.schedule(Duration.ofNanos(Long.MAX_VALUE), () -> ran.add("overflowed"));
    time.schedule(Duration.ofDays(365L * 1_000), () -> ran.add("centuries"));

    time.advance(Duration.ofDays(365));

    assertThat(ran).isEmpty();
    assertThat(time.pendingTasks()).isEqualTo(2);
  }

  @Test
  void advance_byANegativeDuration_isRejected() {
    assertThatThrownBy(() -> time.advance(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("forward");
  }
}
