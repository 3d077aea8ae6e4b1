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
  void cancel_beforeTheDelay_preventsTheRun() throws Exception {
    AtomicBoolean cancelledRan = new AtomicBoolean();
    Scheduled cancelled = time.schedule(Duration.ofMillis(50), () -> cancelledRan.set(true));
    CountDownLatch later = new CountDownLatch(1);

    assertThat(cancelled.cancel()).isTrue();
    time.schedule(Duration.ofMillis(100), later::countDown);

    assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(cancelledRan).isFalse();
  }

  @Test
  void aTaskThatThrows_doesNotStopLaterTasks() throws Exception {
    CountDownLatch later = new CountDownLatch(1);
    time.schedule(
        Duration.ZERO,
        () -> {
          throw new IllegalStateException("boom");
        });
    time.schedule(Duration.ofMillis(1), later::countDown);

    assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void schedule_afterClose_failsClearly() {
    time.close();

    assertThatThrownBy(() -> time.schedule(Duration.ZERO, () -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
