package dev.baton.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SystemTimeSourceTest {
  private final SystemTimeSource time = new SystemTimeSource("test-timer");

  @AfterEach
  void close() {
    time.close();
  }

  @Test
  void schedule_runsTheTaskOnTheTimerThread_noEarlierThanTheDelay() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    StringBuilder thread = new StringBuilder();
    long start = time.nanoTime();
    long[] elapsed = new long[1];

    time.schedule(
        Duration.ofMillis(20),
        () -> {
          elapsed[0] = time.nanoTime() - start;
          thread.append(Thread.currentThread().getName());
          ran.countDown();
        });

    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(elapsed[0]).isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
    assertThat(thread.toString()).isEqualTo("test-timer");
  }

  @Test
  void cancel_beforeTheDelay_preventsTheRun_andReportsItOnce() {
    AtomicBoolean ran = new AtomicBoolean();
    Scheduled scheduled = time.schedule(Duration.ofHours(1), () -> ran.set(true));

    assertThat(scheduled.cancel()).isTrue();
    assertThat(scheduled.cancel()).isFalse();
    assertThat(ran).isFalse();
  }

  @Test
  void aDelayOfCenturies_neverRuns_ratherThanOverflowing() {
    AtomicBoolean ran = new AtomicBoolean();

    Scheduled scheduled = time.schedule(Duration.ofDays(365L * 1_000), () -> ran.set(true));

    assertThat(scheduled.cancel()).isTrue();
    assertThat(ran).isFalse();
  }

  @Test
  void schedule_afterClose_failsClearly() {
    time.close();

    assertThatThrownBy(() -> time.schedule(Duration.ZERO, () -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
