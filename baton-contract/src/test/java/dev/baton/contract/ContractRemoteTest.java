package dev.baton.contract;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.Component;
import dev.baton.contract.Contracts.AsyncCall;
import dev.baton.contract.Contracts.AsyncCallId;
import dev.baton.contract.Contracts.AsyncCancel;
import dev.baton.contract.Contracts.Call;
import dev.baton.contract.Contracts.ContractOutcome;
import dev.baton.contract.Contracts.InstanceId;
import dev.baton.contract.Contracts.Open;
import dev.baton.process.Event;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessResult;
import dev.baton.process.YieldTimeoutException;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskOptions;
import dev.baton.testing.TestNode;
import dev.baton.testing.TestNode.Started;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Remote bindings through a task app in local mode: the app registered the interface with {@code
 * registerAll} (as a worker would), and the module calls its methods as the tasks the stubs name.
 */
class ContractRemoteTest {

  private final Blocker blocker = new Blocker();
  private final TestImpls.Calc calc = new TestImpls.Calc(blocker);
  private final TaskApp app = TaskApp.local();
  private final ContractModule module = new ContractModule();
  private final List<String> taskNames = app.registerAll(Calculator.class, calc);
  private final TestNode node;

  ContractRemoteTest() {
    for (String task : taskNames) {
      app.allocate(task, 4, 0);
    }
    node =
        TestNode.builder()
            .manualTime()
            .dispatcher(module)
            .component(tasksComponent(app))
            .component(
                Bindings.component(
                    Binding.remote("calc", Calculator.class),
                    Binding.remote("quick", Calculator.class)
                        .withOptions(
                            TaskOptions.builder().timeout(Duration.ofMillis(200)).build())))
            .build();
  }

  static Component tasksComponent(TaskApp app) {
    return Component.named(Bindings.TASKS_COMPONENT)
        .onLoad(context -> context.with(TaskApp.KEY, app))
        .build();
  }

  @AfterEach
  void close() {
    blocker.release.countDown();
    node.close();
    app.close();
  }

  @Test
  void theStubsNameTheTasks_andRegisterAllServesThem() {
    assertThat(taskNames)
        .containsExactlyInAnyOrder(
            "Calculator.add",
            "Calculator.sum2",
            "Calculator.sum3",
            "Calculator.fail",
            "Calculator.block",
            "Calculator.note",
            "Calculator.later");
  }

  @Test
  void aCoroutine_callsTheRemoteMethods_asTheirTasks() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              InstanceId calcId = process.call(Open.of("calc"));
              int added = process.call(Call.returning(int.class, calcId, "add", 40, 2));
              Object three = process.call(Call.of(calcId, "Calculator.sum3", 1L, 2L, 3L));
              Object nothing = process.call(Call.of(calcId, "note", "remote"));
              Object later = process.call(Call.of(calcId, "later", "on"));
              return Arrays.asList(added, three, nothing, later);
            },
            null);

    assertThat(result.error()).isNull();
    assertThat(result.value()).isEqualTo(Arrays.asList(42, 6L, null, "later on"));
    assertThat(calc.notes).containsExactly("remote");
  }

  @Test
  void aStepProcess_callsARemoteMethod() {
    ProcessResult result =
        node.runStep(
            new Steps(
                0,
                List.of(
                    previous -> Open.of("calc"),
                    instance ->
                        Call.of((InstanceId) requireNonNull(instance), "Calculator.sum2", 5L, 6L))),
            null);

    List<?> seen = (List<?>) requireNonNull(result.value());
    Event.Completion call = (Event.Completion) seen.get(1);
    assertThat(call.error()).isNull();
    assertThat(call.result()).isEqualTo(11L);
  }

  @Test
  void aRemoteMethodThatThrows_failsWithTheFrameworksTaskFailed() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> process.call(Call.of(process.call(Open.of("calc")), "fail", "r")),
            null);

    assertThat(result.error())
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TASK_FAILED);
              assertThat(e.error().message()).contains("kaput: r");
            });
  }

  @Test
  void aBindingsTaskOptions_applyToItsCalls_aTimeoutInterruptsTheMethod() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> process.call(Call.of(process.call(Open.of("quick")), "block")),
            null);

    assertThat(result.error())
        .isInstanceOfSatisfying(
            TaskFailedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
    blocker.awaitInterrupted();
  }

  @Test
  void argumentsAreCheckedAgainstTheInterface_beforeAnyTaskIsCalled() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> process.call(Call.of(process.call(Open.of("calc")), "add", "x", 1)),
            null);

    assertThat(result.error()).isInstanceOf(ContractArgumentException.class);
  }

  @Test
  void valuesForARemoteBinding_areRefused() {
    assertThatThrownBy(() -> node.callInCoroutine(new Open("calc", Map.of("k", "v"))))
        .isInstanceOf(ContractArgumentException.class)
        .hasMessageContaining("remote");
  }

  @Test
  void asyncCall_sendsTheRemoteValueAsOneMessage_fromAStepProcess() {
    ProcessResult result =
        node.runStep(
            new Steps(
                1,
                List.of(
                    previous -> Open.of("calc"),
                    instance ->
                        AsyncCall.of("out", (InstanceId) requireNonNull(instance), "add", 2, 3))),
            null);

    List<?> seen = (List<?>) requireNonNull(result.value());
    ContractOutcome outcome = (ContractOutcome) requireNonNull(((Message) seen.get(2)).payload());
    assertThat(outcome.id()).isEqualTo(((Event.Completion) seen.get(1)).result());
    assertThat(outcome.value()).isEqualTo(5);
  }

  @Test
  void asyncCancel_revokesABlockedRemoteCall_andNoMessageFollows() {
    CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
    Started started =
        node.startCoroutine(
            (process, input) -> {
              AsyncCallId id =
                  process.call(AsyncCall.of("out", process.call(Open.of("calc")), "block"));
              blocker.awaitStarted();
              cancelled.complete(process.call(new AsyncCancel(id)));
              return process.receive().topic();
            },
            null);
    Pid pid = started.pid();

    blocker.awaitInterrupted();
    TestNode.awaitCondition("the cancel to complete", cancelled::isDone);
    assertThat(cancelled.join()).isTrue();
    node.scheduler().send(pid, "marker", null);

    assertThat(started.await().value()).isEqualTo("marker");
    assertThat(module.runningAsyncCalls()).isZero();
  }

  @Test
  void aCallWhoseDeadlinePasses_revokesTheTask() {
    Started started =
        node.startCoroutine(
            (process, input) -> {
              InstanceId calcId = process.call(Open.of("calc"));
              try {
                process.call(Call.of(calcId, "block"), Duration.ofSeconds(1));
                return "completed";
              } catch (YieldTimeoutException expected) {
                return process.call(Call.of(calcId, "add", 1, 2));
              }
            },
            null);
    blocker.awaitStarted();
    node.awaitWaiting(started.pid());
    TestNode.awaitCondition(
        "the deadline to be scheduled", () -> node.manualTime().pendingTasks() > 0);
    node.manualTime().advance(Duration.ofSeconds(1));

    assertThat(started.await().value()).isEqualTo(3);
    blocker.awaitInterrupted();
  }

  @Test
  void aRemoteBindingWithoutTheTasksComponent_failsTheBoot_namingIt() {
    assertThatThrownBy(
            () ->
                TestNode.builder()
                    .dispatcher(new ContractModule())
                    .component(Bindings.component(Binding.remote("calc", Calculator.class)))
                    .build())
        .hasStackTraceContaining("MissingDependencyException")
        .hasStackTraceContaining("depends on 'tasks'");
  }
}
