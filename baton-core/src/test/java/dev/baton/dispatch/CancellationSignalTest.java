package dev.baton.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancellationSignalTest {
  private final CancellationSignal signal = new CancellationSignal();

  @Test
  void cancel_runsCallbacksOnceInRegistrationOrder() {
    List<String> ran = new ArrayList<>();
    signal.onCancel(() -> ran.add("first"));
    signal.onCancel(() -> ran.add("second"));

    assertThat(signal.cancel()).isTrue();
    assertThat(signal.cancel()).isFalse();

    assertThat(ran).containsExactly("first", "second");
    assertThat(signal.isCancelled()).isTrue();
  }

  @Test
  void onCancel_afterCancellation_runsAtOnce() {
    signal.cancel();
    List<String> ran = new ArrayList<>();

    signal.onCancel(() -> ran.add("late"));

    assertThat(ran).containsExactly("late");
  }

  @Test
  void removedCallback_doesNotRun_butTheSameActionRegisteredTwiceRunsTwice() {
    AtomicInteger runs = new AtomicInteger();
    Runnable action = runs::incrementAndGet;
    Registration first = signal.onCancel(action);
    signal.onCancel(action);
    signal.onCancel(action);

    assertThat(first.remove()).isTrue();
    assertThat(first.remove()).isFalse();
    signal.cancel();

    assertThat(runs).hasValue(2);
  }

  @Test
  void remove_afterTheCallbackRan_reportsFalse() {
    Registration registration = signal.onCancel(() -> {});
    signal.cancel();

    assertThat(registration.remove()).isFalse();
  }

  @Test
  void onCancel_racingCancel_runsEveryCallbackExactlyOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();

    Concurrently.run(
        4,
        thread -> {
          if (thread == 0) {
            signal.cancel();
          } else {
            for (int i = 0; i < 1_000; i++) {
              signal.onCancel(runs::incrementAndGet);
            }
          }
        });

    assertThat(runs).hasValue(3_000);
  }

  @Test
  void aCallbackThatThrows_doesNotStopTheOthers() {
    List<String> ran = new ArrayList<>();
    signal.onCancel(
        () -> {
          throw new IllegalStateException("boom");
        });
    signal.onCancel(() -> ran.add("after"));

    signal.cancel();

    assertThat(ran).containsExactly("after");
  }

  @Test
  void cancel_racedBy8Threads_runsEachCallbackExactlyOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    for (int i = 0; i < 100; i++) {
      signal.onCancel(runs::incrementAndGet);
    }
    AtomicInteger winners = new AtomicInteger();

    Concurrently.run(
        8,
        thread -> {
          if (signal.cancel()) {
            winners.incrementAndGet();
          }
        });

    assertThat(winners).hasValue(1);
    assertThat(runs).hasValue(100);
  }
}
