package dev.baton.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.time.ManualTimeSource;
import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A command yielded with a deadline gets a context of its own: cancelled when the deadline passes
 * (so its handler stops the work) or when the process ends, while its caller scope, where the
 * resources the command leaves its caller live, is cancelled only when the process ends.
 */
class YieldDeadlineCancellationTest {

  @Test
  void aStepYieldPastItsDeadline_cancelsTheHandlersContext_butNotTheProcess() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawn(
              new TestProcesses.YieldOnce(new Harness.Hold(), Duration.ofSeconds(2)));
      Harness.Held held = harness.awaitHeld(1).getFirst();
      AtomicInteger cancelled = new AtomicInteger();
      held.context().onCancel(cancelled::incrementAndGet);

      assertThat(held.context().isCancelled()).isFalse();
      harness.time.advance(Duration.ofSeconds(2));
      ProcessResult result = harness.result(pid);

      assertThat(result.value())
          .isInstanceOfSatisfying(
              Event.Completion.class,
              completion ->
                  assertThat(completion.error()).isInstanceOf(YieldTimeoutException.class));
      assertThat(held.context().isCancelled()).isTrue();
      assertThat(cancelled).hasValue(1);
      assertThat(held.context().callerScope()).isNotSameAs(held.context());
    }
  }

  @Test
  void aCoroutineCallPastItsDeadline_cancelsTheHandlersContext_whileTheProcessGoesOn()
      throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> {
                try {
                  process.call(new Harness.Hold(), Duration.ofSeconds(3));
                  return "no timeout";
                } catch (YieldTimeoutException expected) {
                  return process.receive("go-on").payload();
                }
              });
      Harness.Held held = harness.awaitHeld(1).getFirst();
      harness.awaitState(pid, ProcessState.BLOCKED);

      harness.time.advance(Duration.ofSeconds(3));
      harness.awaitState(pid, ProcessState.IDLE);

      assertThat(held.context().isCancelled()).isTrue();
      assertThat(held.context().callerScope().isCancelled()).isFalse();
      harness.scheduler.send(pid, "go-on", "went on");
      assertThat(harness.result(pid).value()).isEqualTo("went on");
      assertThat(held.context().callerScope().isCancelled()).isTrue();
    }
  }

  @Test
  void theProcessEnding_cancelsAPendingDeadlineYield_beforeItsDeadline() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawn(
              new TestProcesses.YieldOnce(new Harness.Hold(), Duration.ofSeconds(30)));
      Harness.Held held = harness.awaitHeld(1).getFirst();

      harness.scheduler.terminate(pid, "test");
      harness.result(pid);

      assertThat(held.context().isCancelled()).isTrue();
      assertThat(harness.time.pendingTasks()).isZero();
    }
  }

  @Test
  void aCoroutineTerminatedWithADeadlineCallPending_cancelsTheHandlersContext() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> process.call(new Harness.Hold(), Duration.ofSeconds(30)));
      Harness.Held held = harness.awaitHeld(1).getFirst();

      harness.scheduler.terminate(pid, "test");
      harness.result(pid);

      assertThat(held.context().isCancelled()).isTrue();
      assertThat(harness.time.pendingTasks()).isZero();
    }
  }

  @Test
  void aDeadlineYieldOnAClosedTimeSource_failsWithWhy_andIsNotRouted() throws Exception {
    RefusingTimeSource time = new RefusingTimeSource();
    try (Harness harness = new Harness(1, builder -> builder.timeSource(time))) {
      time.refusing.set(true);
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> process.call(new Harness.Hold(), Duration.ofSeconds(1)));
      ProcessResult result = harness.result(pid);
      time.refusing.set(false);

      assertThat(result.error())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the time source is closed");
      assertThat(harness.held).isEmpty();
    }
  }

  @Test
  void aYieldSettledInTime_isNotCancelledLater_byItsDeadlineOrByTheProcessEnding()
      throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawn(
              new TestProcesses.YieldOnce(new Harness.Hold(), Duration.ofSeconds(2)));
      Harness.Held held = harness.awaitHeld(1).getFirst();

      held.complete("in time");
      harness.result(pid);
      assertThat(harness.time.pendingTasks()).isZero();
      harness.time.advance(Duration.ofSeconds(5));

      // Settled: the process's cancellation no longer reaches it, so a long-lived process does
      // not keep one callback per finished yield.
      assertThat(held.context().callerScope().isCancelled()).isTrue();
      assertThat(held.context().isCancelled()).isFalse();
    }
  }

  @Test
  void aHandlerThatCompletesWhenCancelled_freesTheTimedOutTag_forTheNextYield() throws Exception {
    try (Harness harness = new Harness(1)) {
      ReusesTag process = new ReusesTag();
      Pid pid = harness.scheduler.spawn(process);
      Harness.Held first = harness.awaitHeld(1).getFirst();
      first.context().onCancel(() -> first.complete("cancelled"));

      harness.time.advance(Duration.ofSeconds(1));
      Harness.Held second = harness.awaitHeld(2).get(1);
      second.complete("second");
      harness.result(pid);

      assertThat(process.errors).hasSize(1).first().isInstanceOf(YieldTimeoutException.class);
      assertThat(second.tag()).isEqualTo(first.tag());
      assertThat(process.results).containsExactly("second");
    }
  }

  @Test
  void aYieldWithoutADeadline_getsTheProcessContextItself() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid = harness.scheduler.spawn(new TestProcesses.YieldOnce(new Harness.Hold()));
      Harness.Held held = harness.awaitHeld(1).getFirst();

      assertThat(held.context().callerScope()).isSameAs(held.context());
      held.complete("done");
      harness.result(pid);
    }
  }

  /** A time source that refuses timers while {@link #refusing} is set, as a closed one does. */
  private static final class RefusingTimeSource implements TimeSource {
    final AtomicBoolean refusing = new AtomicBoolean();
    private final ManualTimeSource time = new ManualTimeSource();

    @Override
    public long nanoTime() {
      return time.nanoTime();
    }

    @Override
    public Instant now() {
      return time.now();
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
      if (refusing.get()) {
        throw new IllegalStateException("the time source is closed");
      }
      return time.schedule(delay, task);
    }
  }

  /**
   * Yields a held command under its own tag 7 with a deadline, and after the timeout yields again
   * under tag 7: the second yield is dispatched only if the first's tag was freed.
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
      if (yields == 0 || (yields == 1 && !errors.isEmpty())) {
        yields++;
        out.yield(new Harness.Hold(), 7, Duration.ofSeconds(1));
      } else {
        out.waitForYields();
      }
    }
  }
}
