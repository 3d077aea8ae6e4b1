package dev.baton.modules.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.modules.function.Functions.Call;
import dev.baton.process.Event;
import dev.baton.process.Pid;
import dev.baton.process.ProcessResult;
import dev.baton.process.ProcessTerminatedException;
import dev.baton.process.YieldTimeoutException;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.TypeRef;
import dev.baton.testing.TestNode;
import dev.baton.testing.TestNode.Started;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Call} from step and coroutine processes, over a local task app. */
class FunctionCallTest {

  private final FunctionFixture fixture = new FunctionFixture();
  private final TestNode node = fixture.node;

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void call_fromCoroutine_returnsTheTasksValue() {
    Object sum = node.callInCoroutine(Call.of("add", 1, 2));

    assertThat(sum).isEqualTo(3);
  }

  @Test
  void call_fromStepProcess_completesWithTheTasksValue() {
    Event.Completion completion = node.yieldFromStep(Call.of("add", 20, 22));

    assertThat(completion.error()).isNull();
    assertThat(completion.result()).isEqualTo(42);
  }

  @Test
  void callReturning_givesTheCoroutineATypedValue() {
    int sum = node.callInCoroutine(Call.returning(Integer.class, "add", 2, 3));
    List<Integer> numbers =
        node.callInCoroutine(Call.returning(new TypeRef<List<Integer>>() {}, "numbers", 3));

    assertThat(sum).isEqualTo(5);
    assertThat(numbers).containsExactly(0, 1, 2);
  }

  @Test
  void call_unknownTask_failsWithUnknownTask_inBothStyles() {
    assertThatThrownBy(() -> node.callInCoroutine(Call.of("nope", 1)))
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TASK);
              assertThat(e.key().name()).isEqualTo("nope");
            });
    assertThat(node.yieldFromStep(Call.of("nope", 1)).error())
        .isInstanceOfSatisfying(
            TaskFailedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TASK));
  }

  @Test
  void call_wrongArguments_failsWithBadArguments_inBothStyles() {
    assertThatThrownBy(() -> node.callInCoroutine(Call.of("add", "one", 2)))
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_ARGUMENTS));
    assertThat(node.yieldFromStep(Call.of("add", 1)).error())
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_ARGUMENTS));
  }

  @Test
  void call_taskThrows_failsWithTaskFailed_namingTheCause_inBothStyles() {
    assertThatThrownBy(() -> node.callInCoroutine(Call.of("boom", "coroutine")))
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TASK_FAILED);
              assertThat(e.error().message()).contains("IllegalStateException", "kaput: coroutine");
            });
    assertThat(node.yieldFromStep(Call.of("boom", "step")).error())
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TASK_FAILED);
              assertThat(e.error().message()).contains("kaput: step");
            });
  }

  @Test
  void call_withTimeoutOption_failsWithTimeout_andInterruptsTheAttempt() {
    Call<Object> call =
        Call.of("block").withOptions(TaskOptions.builder().timeout(Duration.ofMillis(50)).build());

    assertThatThrownBy(() -> node.callInCoroutine(call))
        .isInstanceOfSatisfying(
            TaskFailedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
    fixture.blocker.awaitInterrupted();
  }

  @Test
  void call_withTimeoutOption_fromStepProcess_completesWithTimeout() {
    Call<Object> call =
        Call.of("block").withOptions(TaskOptions.builder().timeout(Duration.ofMillis(50)).build());

    assertThat(node.yieldFromStep(call).error())
        .isInstanceOfSatisfying(
            TaskFailedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
  }

  @Test
  void callerTerminatedMidCall_revokesTheCall_andInterruptsTheRunningTask_coroutine() {
    AtomicBoolean resumed = new AtomicBoolean();
    Started started =
        node.startCoroutine(
            (process, input) -> {
              process.call(Call.of("block"));
              resumed.set(true);
              return null;
            },
            null);
    Pid pid = started.pid();
    fixture.blocker.awaitStarted();

    node.scheduler().terminate(pid, "test");

    fixture.blocker.awaitInterrupted();
    ProcessResult result = started.await();
    assertThat(result.error()).isInstanceOf(ProcessTerminatedException.class);
    assertThat(resumed).isFalse();
  }

  @Test
  void callerTerminatedMidCall_revokesTheCall_andInterruptsTheRunningTask_step() {
    Started started = node.startStep(new TestNode.YieldOnce(Call.of("block")), null);
    Pid pid = started.pid();
    fixture.blocker.awaitStarted();

    node.scheduler().terminate(pid, "test");

    fixture.blocker.awaitInterrupted();
    assertThat(started.await().error()).isInstanceOf(ProcessTerminatedException.class);
  }

  @Test
  void callWhoseDeadlinePasses_revokesTheCall_interruptsTheTask_andTheCallerGoesOn() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              try {
                process.call(Call.of("block"), Duration.ofMillis(100));
                return "the blocked call completed";
              } catch (YieldTimeoutException expected) {
                return process.call(Call.of("add", 1, 1));
              }
            },
            null);

    assertThat(result.value()).as("the caller went on after the deadline").isEqualTo(2);
    fixture.blocker.awaitInterrupted();
  }

  @Test
  void callWhoseDeadlinePasses_fromStepProcess_revokesTheCall() {
    Started started =
        node.startStep(
            (events, out) -> {
              for (Event event : events) {
                if (event instanceof Event.Completion completion) {
                  out.done(completion.error());
                  return;
                }
              }
              out.yield(Call.of("block"), Duration.ofMillis(100));
            },
            null);

    assertThat(started.await().value()).isInstanceOf(YieldTimeoutException.class);
    fixture.blocker.awaitInterrupted();
  }
}
