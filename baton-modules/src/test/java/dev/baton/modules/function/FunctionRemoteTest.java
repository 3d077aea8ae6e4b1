package dev.baton.modules.function;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.modules.function.Functions.AsyncCallId;
import dev.baton.modules.function.Functions.AsyncCancel;
import dev.baton.modules.function.Functions.AsyncStart;
import dev.baton.modules.function.Functions.Call;
import dev.baton.modules.function.Functions.FunctionOutcome;
import dev.baton.process.ProcessResult;
import dev.baton.process.YieldTimeoutException;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.memory.InMemoryBackend;
import dev.baton.tasks.memory.InMemoryBroker;
import dev.baton.testing.TestNode;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node's app is a remote-mode caller that registers no task; a separate worker app serves them,
 * over the in-memory broker and backend (every task and report is encoded and decoded).
 */
class FunctionRemoteTest {

  private final SystemTimeSource time = new SystemTimeSource();
  private final InMemoryBroker broker = new InMemoryBroker(time);
  private final InMemoryBackend backend = new InMemoryBackend(time);
  private final FunctionFixture.Blocker blocker = new FunctionFixture.Blocker();
  private final TaskApp worker = remoteApp();
  private final TaskApp caller = remoteApp();
  private final FunctionModule module = new FunctionModule();
  private final TestNode node;

  FunctionRemoteTest() {
    FunctionFixture.registerTasks(worker, blocker);
    node = FunctionFixture.nodeOver(caller, module);
  }

  private TaskApp remoteApp() {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    app.use(broker);
    app.use(backend);
    return app;
  }

  @AfterEach
  void close() {
    blocker.release.countDown();
    node.close();
    caller.close();
    worker.close();
    broker.close();
    backend.close();
    time.close();
  }

  @Test
  void call_runsOnTheWorkerApp_andResumesTheCoroutineWithItsValue() {
    int sum = node.callInCoroutine(Call.returning(Integer.class, "add", 40, 2));

    assertThat(sum).isEqualTo(42);
  }

  @Test
  void call_fromStepProcess_runsOnTheWorkerApp() {
    assertThat(node.yieldFromStep(Call.returning(Integer.class, "add", 1, 2)).result())
        .isEqualTo(3);
  }

  @Test
  void call_ofATaskThatThrowsOnTheWorker_failsWithTaskFailed() {
    assertThatThrownBy(() -> node.callInCoroutine(Call.returning(String.class, "boom", "remote")))
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TASK_FAILED);
              assertThat(e.error().message()).contains("kaput: remote");
            });
  }

  @Test
  void asyncStart_outcomeFromTheWorkerArrivesAsAMessage() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              process.call(AsyncStart.of("sum", "add", 2, 2).returning(Integer.class));
              return process.receive("sum").payload();
            },
            null);

    FunctionOutcome outcome = (FunctionOutcome) requireNonNull(result.value(), "value");
    assertThat(outcome.value()).isEqualTo(4);
  }

  @Test
  void asyncCancel_ofACallRunningOnTheWorker_returnsTrue_andNoOutcomeIsSent() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              AsyncCallId blocked =
                  process.call(AsyncStart.of("out", "block").returning(String.class));
              blocker.awaitStarted();
              boolean cancelled = process.call(new AsyncCancel(blocked));
              blocker.release.countDown(); // the worker's attempt may now finish: still no outcome
              AsyncCallId next =
                  process.call(AsyncStart.of("out", "add", 1, 1).returning(Integer.class));
              FunctionOutcome outcome = (FunctionOutcome) process.receive("out").payload();
              return List.of(cancelled, requireNonNull(outcome).id().equals(next));
            },
            null);

    assertThat(result.value())
        .as("cancelled, and the next outcome on the topic is the next call's")
        .isEqualTo(List.of(true, true));
    assertThat(module.runningAsyncCalls()).isZero();
  }

  @Test
  void callWhoseDeadlinePasses_inRemoteMode_failsWithYieldTimeout_andTheCallerGoesOn() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              try {
                process.call(Call.returning(String.class, "block"), Duration.ofMillis(100));
                return "the blocked call completed";
              } catch (YieldTimeoutException expected) {
                return process.call(Call.returning(Integer.class, "add", 1, 1));
              }
            },
            null);

    assertThat(result.value()).isEqualTo(2);
  }
}
