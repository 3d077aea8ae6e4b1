package dev.baton.process;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.UnknownCommandException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoroutineTest {

  @Test
  void aCoroutine_callsCommandsInStraightLineCode_throughTheSameHandlers() throws Exception {
    try (Harness harness = new Harness(2)) {
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> {
                int sum = 0;
                for (int i = 1; i <= 10; i++) {
                  sum += (Integer) process.call(new Harness.Echo(i));
                }
                return sum + (Integer) requireNonNull(input);
              },
              1_000);

      assertThat(harness.result(pid)).isEqualTo(ProcessResult.normal(1_055));
      assertThat(harness.started).containsExactly(pid);
    }
  }

  @Test
  void call_throwsTheHandlersFailure_andUnknownCommandsAsNotFound() throws Exception {
    try (Harness harness = new Harness(1)) {
      List<Throwable> failures = new ArrayList<>();
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> {
                try {
                  process.call(new Harness.Fail("broken"));
                } catch (IllegalStateException e) {
                  failures.add(e);
                }
                try {
                  process.call(new Harness.Counted(CommandId.of(999)));
                } catch (UnknownCommandException e) {
                  failures.add(e);
                }
                return failures.size();
              });

      assertThat(harness.result(pid).value()).isEqualTo(2);
      assertThat(failures.get(0)).hasMessage("broken");
      assertThat(((UnknownCommandException) failures.get(1)).commandId())
          .isEqualTo(CommandId.of(999));
    }
  }

  @Test
  void call_withADeadline_throwsYieldTimeout_whenTheCommandIsLate() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> process.call(new Harness.Hold(), Duration.ofSeconds(3)));
      harness.awaitHeld(1);
      harness.awaitState(pid, ProcessState.BLOCKED);

      harness.time.advance(Duration.ofSeconds(3));

      assertThat(harness.result(pid).error()).isInstanceOf(YieldTimeoutException.class);
    }
  }

  @Test
  void receive_returnsMessagesInOrder_andATopicSelectsWhileOthersWait() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> {
                Message urgent = process.receive("urgent");
                Message first = process.receive();
                Message second = process.receive();
                return List.of(urgent.payload(), first.payload(), second.payload());
              });
      harness.scheduler.send(pid, "normal", "a");
      harness.scheduler.send(pid, "normal", "b");
      harness.scheduler.send(pid, "urgent", "now");

      assertThat(harness.result(pid).value()).isEqualTo(List.of("now", "a", "b"));
    }
  }

  @Test
  void receive_withATimeout_givesUpOnTheSchedulersClock() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> process.receive(Duration.ofSeconds(5)));
      harness.awaitState(pid, ProcessState.IDLE);

      harness.time.advance(Duration.ofSeconds(5));

      assertThat(harness.result(pid).value()).isEqualTo(Optional.empty());
    }
  }

  @Test
  void terminate_whileWaitingForACommand_endsTheCoroutineWithTerminated() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawnCoroutine((process, input) -> process.call(new Harness.Hold()));
      harness.awaitHeld(1);

      harness.scheduler.terminate(pid, "operator");

      assertThat(harness.result(pid).error())
          .isInstanceOf(ProcessTerminatedException.class)
          .hasMessageContaining("operator");
    }
  }

  @Test
  void terminate_whileBlockedInPlainJavaCode_interruptsIt() throws Exception {
    try (Harness harness = new Harness(1)) {
      CompletableFuture<Void> entered = new CompletableFuture<>();
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> {
                entered.complete(null);
                new CompletableFuture<Void>().get(); // blocks until interrupted
                return "unreachable";
              });
      entered.get(10, TimeUnit.SECONDS);

      harness.scheduler.terminate(pid);

      assertThat(harness.result(pid).error()).isInstanceOf(ProcessTerminatedException.class);
    }
  }

  @Test
  void aCoroutine_isInTheProcessTable_withItsStateAndSteps() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> {
                process.call(new Harness.Echo("one"));
                return process.receive().payload();
              });
      harness.awaitState(pid, ProcessState.IDLE);

      ProcessInfo info = harness.scheduler.processes().getFirst();
      harness.scheduler.send(pid, "done", "bye");

      assertThat(info.pid()).isEqualTo(pid);
      assertThat(info.steps()).isEqualTo(1);
      assertThat(harness.result(pid).value()).isEqualTo("bye");
      assertThat(harness.scheduler.processes()).isEmpty();
    }
  }

  @Test
  void theScope_refusesCallsFromAnotherThread() throws Exception {
    try (Harness harness = new Harness(1)) {
      CompletableFuture<CoroutineScope> scope = new CompletableFuture<>();
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> {
                scope.complete(process);
                return process.receive().payload();
              });

      assertThatThrownBy(() -> scope.get(10, TimeUnit.SECONDS).call(new Harness.Echo(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("own thread");
      harness.scheduler.send(pid, "stop", "ok");
      assertThat(harness.result(pid).value()).isEqualTo("ok");
    }
  }

  @Test
  void aCoroutine_countsAgainstMaxProcesses() throws Exception {
    try (Harness harness = new Harness(1, builder -> builder.maxProcesses(1))) {
      Pid pid = harness.scheduler.spawnCoroutine((process, input) -> process.receive().payload());

      assertThatThrownBy(() -> harness.scheduler.spawn(new TestProcesses.Inbox()))
          .isInstanceOf(MaxProcessesExceededException.class);
      harness.scheduler.send(pid, "stop", "ok");
      harness.result(pid);
    }
  }
}
