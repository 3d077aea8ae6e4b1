package dev.baton.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Runs processes down every path of their lifecycle and checks that each transition of {@link
 * ProcessState#next()} was exercised (the runtime records them when assertions are enabled, and an
 * illegal one fails at once).
 */
class ProcessStateTransitionsTest {

  @Test
  void everyTransitionOfTheTable_isExercised() throws Exception {
    assertThat(getClass().desiredAssertionStatus())
        .as("assertions enabled, so the runtime records its transitions")
        .isTrue();
    try (Harness harness = new Harness(1)) {
      // RUNNING -> READY (continue), RUNNING -> COMPLETE
      harness.result(harness.scheduler.spawn(new TestProcesses.Spinner(3)));
      // RUNNING -> BLOCKED, BLOCKED -> READY (a completion from the timer thread)
      Pid sleeper =
          harness.scheduler.spawn(
              new TestProcesses.YieldOnce(new Harness.Sleep(Duration.ofSeconds(1))));
      harness.awaitState(sleeper, ProcessState.BLOCKED);
      harness.time.advance(Duration.ofSeconds(1));
      harness.result(sleeper);
      // RUNNING -> IDLE, IDLE -> READY (a message)
      Pid inbox = harness.scheduler.spawn(new TestProcesses.Inbox());
      harness.awaitState(inbox, ProcessState.IDLE);
      harness.scheduler.send(inbox, "stop", null);
      harness.result(inbox);
      // coroutines: BLOCKED -> RUNNING and IDLE -> RUNNING, resumed by the JDK's scheduler
      Pid coroutine =
          harness.scheduler.spawnCoroutine(
              (process, input) -> {
                process.call(new Harness.Sleep(Duration.ofSeconds(1)));
                return process.receive().payload();
              });
      harness.awaitState(coroutine, ProcessState.BLOCKED);
      harness.time.advance(Duration.ofSeconds(1));
      harness.awaitState(coroutine, ProcessState.IDLE);
      harness.scheduler.send(coroutine, "stop", "done");
      harness.result(coroutine);
    }

    Set<String> expected = new TreeSet<>();
    for (ProcessState from : ProcessState.values()) {
      for (ProcessState to : from.next()) {
        expected.add(StateTransitions.name(from, to));
      }
    }
    assertThat(new TreeSet<>(StateTransitions.observed())).containsAll(expected);
  }
}
