package dev.baton.modules.clock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.process.Event;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A clock command abandoned at its yield's deadline completes (the runtime drops it), so the
 * process may yield under the same tag again at once.
 */
class ClockTagReuseTest {

  @Test
  void aSleepPastItsYieldDeadline_freesItsTag_forTheNextYield() {
    try (TestNode node = TestNode.builder().manualTime().dispatcher(new ClockModule()).build()) {
      ReusesTag process = new ReusesTag();
      TestNode.Started started = node.startStep(process, null);
      node.awaitWaiting(started.pid());

      node.manualTime().advance(Duration.ofSeconds(1));

      assertThat(started.await().error()).isNull();
      assertThat(process.errors).singleElement().isInstanceOf(YieldTimeoutException.class);
      assertThat(process.results).singleElement().isInstanceOf(java.time.Instant.class);
      assertThat(node.manualTime().pendingTasks()).isZero();
    }
  }

  /**
   * Sleeps 10 s under tag 5 with a 1 s deadline, then, after the timeout, sleeps 0 s under tag 5.
   */
  private static final class ReusesTag implements StepProcess {
    final List<Throwable> errors = new ArrayList<>();
    final List<@Nullable Object> results = new ArrayList<>();
    private int yields;

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Event.Completion completion) {
          if (completion.error() != null) {
            errors.add(completion.error());
          } else {
            results.add(completion.result());
            out.done(null);
            return;
          }
        }
      }
      if (yields == 0) {
        yields++;
        out.yield(new Clock.Sleep(Duration.ofSeconds(10)), 5, Duration.ofSeconds(1));
      } else if (yields == 1 && !errors.isEmpty()) {
        yields++;
        out.yield(new Clock.Sleep(Duration.ZERO), 5);
      } else {
        out.waitForYields();
      }
    }
  }
}
