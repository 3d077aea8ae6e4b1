package dev.baton.modules.process;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registry;
import dev.baton.modules.NotAProcessException;
import dev.baton.modules.process.Processes.Cancel;
import dev.baton.modules.process.Processes.ChildOptions;
import dev.baton.modules.process.Processes.Exec;
import dev.baton.modules.process.Processes.Link;
import dev.baton.modules.process.Processes.Monitor;
import dev.baton.modules.process.Processes.Send;
import dev.baton.modules.process.Processes.Spawn;
import dev.baton.modules.process.Processes.Terminate;
import dev.baton.modules.process.Processes.Unlink;
import dev.baton.modules.process.Processes.Unmonitor;
import dev.baton.process.Event;
import dev.baton.process.ExitSignal;
import dev.baton.process.MailboxFullException;
import dev.baton.process.Message;
import dev.baton.process.NameTakenException;
import dev.baton.process.Pid;
import dev.baton.process.ProcessContext;
import dev.baton.process.ProcessInfo;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.process.ProcessResult;
import dev.baton.process.ProcessTerminatedException;
import dev.baton.process.SpawnFailedException;
import dev.baton.process.SpawnOptions;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProcessModuleTest {
  private TestNode node;

  @BeforeEach
  void boot() {
    node = TestNode.builder().dispatcher(new ProcessModule()).build();
  }

  @AfterEach
  void shutDown() {
    node.close();
  }

  // ---- Send (1) ----

  @Test
  void send_fromCoroutine_deliversTheMessage_withTheCallerAsSender() {
    TestNode.Started receiver = node.startCoroutine((p, in) -> p.receive("greet"), null);
    Pid to = receiver.pid();

    ProcessResult caller =
        node.runCoroutine((p, in) -> List.of(p.call(new Send(to, "greet", "hi")), p.pid()), null);

    List<?> values = (List<?>) requireNonNull(caller.value());
    assertThat(values.get(0)).isEqualTo(true);
    assertThat(receiver.await().value()).isEqualTo(new Message("greet", "hi", (Pid) values.get(1)));
  }

  @Test
  void send_fromStep_completesTrue_andTheReceiverGetsIt() {
    TestNode.Started receiver = node.startCoroutine((p, in) -> p.receive("greet"), null);

    TestNode.Started step =
        node.startStep(new Script(List.of(new Send(receiver.pid(), "greet", 42))), null);

    ScriptResult result = scriptResult(step.await());
    assertThat(result.results()).containsExactly(true);
    assertThat(receiver.await().value()).isEqualTo(new Message("greet", 42, step.pid()));
  }

  @Test
  void send_toAName_reachesTheProcessRegisteredUnderIt_inBothStyles() {
    TestNode.Started receiver =
        node.startCoroutine(
            (p, in) -> List.of(p.receive("a").payload(), p.receive("b").payload()), null);
    node.scheduler().register("inbox", receiver.pid());

    assertThat(node.callInCoroutine(Send.toName("inbox", "a", 1))).isTrue();
    assertThat(node.yieldFromStep(Send.toName("inbox", "b", 2)).result()).isEqualTo(true);
    assertThat(receiver.await().value()).isEqualTo(List.of(1, 2));
  }

  @Test
  void send_toANameNoLiveProcessHolds_failsNamingIt_inBothStyles() {
    assertThatThrownBy(() -> node.callInCoroutine(Send.toName("nobody", "t", null)))
        .isInstanceOfSatisfying(
            NameNotFoundException.class, e -> assertThat(e.name()).isEqualTo("nobody"))
        .hasMessageContaining("'nobody'");
    assertThat(node.yieldFromStep(Send.toName("nobody", "t", null)).error())
        .isInstanceOf(NameNotFoundException.class);
  }

  @Test
  void send_toAnEndedProcess_failsWithProcessNotFound_inBothStyles() {
    Pid ended = endedPid();

    assertThatThrownBy(() -> node.callInCoroutine(new Send(ended, "t", null)))
        .isInstanceOfSatisfying(
            ProcessNotFoundException.class, e -> assertThat(e.pid()).isEqualTo(ended));
    assertThat(node.yieldFromStep(new Send(ended, "t", null)).error())
        .isInstanceOf(ProcessNotFoundException.class);
  }

  @Test
  void send_toAFullMailbox_failsWithMailboxFull_inBothStyles() {
    Pid to = waitsForCancel();
    fillMailbox(to);

    assertThatThrownBy(() -> node.callInCoroutine(new Send(to, "more", null)))
        .isInstanceOf(MailboxFullException.class);
    assertThat(node.yieldFromStep(new Send(to, "more", null)).error())
        .isInstanceOf(MailboxFullException.class);
  }

  @Test
  void send_onAReservedTopic_isRejectedWhenBuilt() {
    Pid anyone = new Pid(1);
    assertThatThrownBy(() -> new Send(anyone, Message.EXIT_TOPIC, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void send_fromOutsideAnyProcess_hasNoSender() {
    TestNode.Started receiver = node.startCoroutine((p, in) -> p.receive("t"), null);

    assertThat(callOutsideProcess(new Send(receiver.pid(), "t", "x"), new CancellationSignal()))
        .isCompletedWithValue(true);
    assertThat(receiver.await().value()).isEqualTo(new Message("t", "x", null));
  }

  // ---- Spawn (2) ----

  @Test
  void spawn_monitoredCoroutine_fromCoroutine_runsItAndTheCallerReceivesItsExit() {
    ProcessResult caller =
        node.runCoroutine(
            (p, in) -> {
              Pid child = p.call(Spawn.coroutine((c, input) -> input + "!", "hi").monitored());
              ExitSignal exit = (ExitSignal) p.receive(Message.EXIT_TOPIC).payload();
              return List.of(child, requireNonNull(exit));
            },
            null);

    List<?> values = (List<?>) requireNonNull(caller.value());
    assertThat(values.get(1))
        .isEqualTo(new ExitSignal((Pid) values.get(0), ProcessResult.normal("hi!")));
  }

  @Test
  void spawn_monitoredStep_fromStep_theCallerReceivesItsExit() {
    ScriptResult result =
        scriptResult(
            node.runStep(
                new Script(List.of(Spawn.step(new Echo(), "in").monitored()), Message.EXIT_TOPIC),
                null));

    Pid child = (Pid) requireNonNull(result.results().get(0));
    assertThat(requireNonNull(result.received()).payload())
        .isEqualTo(new ExitSignal(child, ProcessResult.normal("in")));
  }

  @Test
  void spawn_step_returnsOnceInitHasRun() {
    Echo child = new Echo();

    Event.Completion completion = node.yieldFromStep(Spawn.step(child, "input"));

    assertThat(completion.result()).isInstanceOf(Pid.class);
    assertThat(child.initInput).isCompletedWithValue("input");
  }

  @Test
  void spawn_named_registersTheChild_andASecondSpawnOfTheName_failsWithNameTaken() {
    Pid holder =
        node.callInCoroutine(Spawn.coroutine((c, in) -> c.receive("never"), null).named("solo"));
    assertThat(node.scheduler().whereis("solo")).contains(holder);

    assertThatThrownBy(
            () -> node.callInCoroutine(Spawn.coroutine((c, in) -> null, null).named("solo")))
        .isInstanceOf(NameTakenException.class)
        .hasMessageContaining("'solo'");
    assertThat(node.yieldFromStep(Spawn.step(new Echo(), null).named("solo")).error())
        .isInstanceOf(NameTakenException.class);
    node.scheduler().terminate(holder);
  }

  @Test
  void spawn_linked_childFails_terminatesTheCoroutineCaller() {
    ProcessResult caller =
        node.runCoroutine(
            (p, in) -> {
              p.call(Spawn.coroutine(ProcessModuleTest::fail, null).linked());
              return p.receive("never");
            },
            null);

    assertThat(caller.error())
        .isInstanceOf(ProcessTerminatedException.class)
        .hasMessageContaining("boom");
  }

  @Test
  void spawn_linked_childFails_terminatesTheStepCaller() {
    ProcessResult caller =
        node.runStep(
            new Script(List.of(Spawn.coroutine(ProcessModuleTest::fail, null).linked()), "never"),
            null);

    assertThat(caller.error()).isInstanceOf(ProcessTerminatedException.class);
  }

  @Test
  void spawn_linked_callerTrappingLinks_receivesLinkDownInstead() {
    ProcessResult caller =
        node.runCoroutine(
            (p, in) -> {
              node.scheduler().trapLinks(p.pid(), true);
              Pid child = p.call(Spawn.coroutine(ProcessModuleTest::fail, null).linked());
              ExitSignal down = (ExitSignal) p.receive(Message.LINK_DOWN_TOPIC).payload();
              return requireNonNull(down).pid().equals(child);
            },
            null);

    assertThat(caller.value()).isEqualTo(true);
  }

  @Test
  void spawn_trappingLinks_theChildHearsOfItsFailedCaller() {
    CompletableFuture<Object> childHeard = new CompletableFuture<>();
    ProcessResult caller =
        node.runCoroutine(
            (p, in) -> {
              p.call(
                  Spawn.coroutine(
                          (c, input) ->
                              childHeard.complete(
                                  requireNonNull(c.receive(Message.LINK_DOWN_TOPIC).payload())),
                          null)
                      .linked()
                      .trappingLinks());
              throw new IllegalStateException("caller fails");
            },
            null);

    assertThat(caller.error()).hasMessage("caller fails");
    ExitSignal down = (ExitSignal) within(childHeard);
    assertThat(down.result().error()).hasMessage("caller fails");
  }

  @Test
  void spawn_stepWhoseInitThrows_failsWithSpawnFailed_inBothStyles() {
    assertThatThrownBy(() -> node.callInCoroutine(Spawn.step(new FailingInit(), null)))
        .isInstanceOf(SpawnFailedException.class)
        .hasRootCauseMessage("init refused");
    assertThat(node.yieldFromStep(Spawn.step(new FailingInit(), null)).error())
        .isInstanceOf(SpawnFailedException.class);
    awaitOnlyFixtureProcesses();
  }

  @Test
  void spawn_linkedOrMonitored_fromOutsideAnyProcess_failsWithNotAProcess() {
    CancellationSignal signal = new CancellationSignal();
    Spawn linked = Spawn.coroutine((c, in) -> null, null).linked();
    Spawn monitored = Spawn.coroutine((c, in) -> null, null).monitored();

    assertThat(callOutsideProcess(linked, signal))
        .failsWithin(TestNode.BOUND)
        .withThrowableOfType(Exception.class)
        .havingCause()
        .isInstanceOf(NotAProcessException.class);
    assertThat(callOutsideProcess(monitored, signal))
        .failsWithin(TestNode.BOUND)
        .withThrowableOfType(Exception.class)
        .havingCause()
        .isInstanceOf(NotAProcessException.class);
    assertThat(within(callOutsideProcess(Spawn.coroutine((c, in) -> null, null), signal)))
        .isInstanceOf(Pid.class);
  }

  @Test
  void childOptions_rejectABlankName() {
    assertThatThrownBy(() -> ChildOptions.NONE.named(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
  }

  // ---- Terminate (3) and Cancel (4) ----

  @Test
  void terminate_fromCoroutine_endsTheTargetWithTheReason() {
    TestNode.Started target = node.startCoroutine((p, in) -> p.receive("never"), null);

    assertThat(node.callInCoroutine(new Terminate(target.pid(), "enough"))).isTrue();

    assertThat(target.await().error())
        .isInstanceOf(ProcessTerminatedException.class)
        .hasMessageContaining("enough");
  }

  @Test
  void terminate_fromStep_endsTheTarget() {
    TestNode.Started target = node.startStep(new Idle(), null);

    assertThat(node.yieldFromStep(new Terminate(target.pid())).result()).isEqualTo(true);

    assertThat(target.await().error()).isInstanceOf(ProcessTerminatedException.class);
  }

  @Test
  void terminate_anEndedProcess_failsWithProcessNotFound_inBothStyles() {
    Pid ended = endedPid();

    assertThatThrownBy(() -> node.callInCoroutine(new Terminate(ended)))
        .isInstanceOf(ProcessNotFoundException.class);
    assertThat(node.yieldFromStep(new Terminate(ended)).error())
        .isInstanceOf(ProcessNotFoundException.class);
  }

  @Test
  void cancel_deliversTheReasonOnTheCancelTopic_inBothStyles() {
    TestNode.Started first =
        node.startCoroutine((p, in) -> p.receive(Message.CANCEL_TOPIC).payload(), null);
    TestNode.Started second =
        node.startCoroutine((p, in) -> p.receive(Message.CANCEL_TOPIC).payload(), null);

    assertThat(node.callInCoroutine(new Cancel(first.pid(), "please stop"))).isTrue();
    assertThat(node.yieldFromStep(new Cancel(second.pid())).result()).isEqualTo(true);

    assertThat(first.await().value()).isEqualTo("please stop");
    assertThat(second.await().value()).isEqualTo("cancelled");
  }

  @Test
  void cancel_anEndedProcess_failsWithProcessNotFound_inBothStyles() {
    Pid ended = endedPid();

    assertThatThrownBy(() -> node.callInCoroutine(new Cancel(ended)))
        .isInstanceOf(ProcessNotFoundException.class);
    assertThat(node.yieldFromStep(new Cancel(ended)).error())
        .isInstanceOf(ProcessNotFoundException.class);
  }

  // ---- Monitor (5) and Unmonitor (6) ----

  @Test
  void monitor_fromCoroutine_theCallerReceivesTheTargetsExit() {
    TestNode.Started target = node.startCoroutine((p, in) -> p.receive("stop").payload(), null);
    Pid pid = target.pid();

    ProcessResult caller =
        node.runCoroutine(
            (p, in) -> {
              p.call(new Monitor(pid));
              p.call(new Send(pid, "stop", "done"));
              return p.receive(Message.EXIT_TOPIC).payload();
            },
            null);

    assertThat(caller.value()).isEqualTo(new ExitSignal(pid, ProcessResult.normal("done")));
  }

  @Test
  void monitor_fromStep_theCallerReceivesTheTargetsExit() {
    TestNode.Started target = node.startCoroutine((p, in) -> p.receive("stop").payload(), null);
    Pid pid = target.pid();

    ScriptResult result =
        scriptResult(
            node.runStep(
                new Script(List.of(new Monitor(pid), new Send(pid, "stop", 7)), Message.EXIT_TOPIC),
                null));

    assertThat(result.results()).containsExactly(true, true);
    assertThat(requireNonNull(result.received()).payload())
        .isEqualTo(new ExitSignal(pid, ProcessResult.normal(7)));
  }

  @Test
  void monitor_anEndedProcess_failsWithProcessNotFound_inBothStyles() {
    Pid ended = endedPid();

    assertThatThrownBy(() -> node.callInCoroutine(new Monitor(ended)))
        .isInstanceOf(ProcessNotFoundException.class);
    assertThat(node.yieldFromStep(new Monitor(ended)).error())
        .isInstanceOf(ProcessNotFoundException.class);
  }

  @Test
  void unmonitor_returnsWhetherAMonitorExisted_inBothStyles() {
    Pid target = waitsForCancel();

    ProcessResult caller =
        node.runCoroutine(
            (p, in) -> {
              boolean before = p.call(new Unmonitor(target));
              p.call(new Monitor(target));
              return List.of(before, p.call(new Unmonitor(target)), p.call(new Unmonitor(target)));
            },
            null);
    ScriptResult step =
        scriptResult(
            node.runStep(
                new Script(
                    List.of(new Monitor(target), new Unmonitor(target), new Unmonitor(target))),
                null));

    assertThat(caller.value()).isEqualTo(List.of(false, true, false));
    assertThat(step.results()).containsExactly(true, true, false);
  }

  // ---- Link (7) and Unlink (8) ----

  @Test
  void link_fromCoroutine_theTargetsFailureTerminatesTheCaller() {
    Pid target = failOnMessage();

    ProcessResult caller =
        node.runCoroutine(
            (p, in) -> {
              p.call(new Link(target));
              p.call(new Send(target, "fail", null));
              return p.receive("never");
            },
            null);

    assertThat(caller.error())
        .isInstanceOf(ProcessTerminatedException.class)
        .hasMessageContaining("boom");
  }

  @Test
  void link_fromStep_theTargetsFailureTerminatesTheCaller() {
    Pid target = failOnMessage();

    ProcessResult caller =
        node.runStep(
            new Script(List.of(new Link(target), new Send(target, "fail", null)), "never"), null);

    assertThat(caller.error()).isInstanceOf(ProcessTerminatedException.class);
  }

  @Test
  void unlink_returnsWhetherALinkExisted_andAfterItTheTargetsFailureSparesTheCaller() {
    Pid target = failOnMessage();

    ProcessResult caller =
        node.runCoroutine(
            (p, in) -> {
              p.call(new Monitor(target));
              p.call(new Link(target));
              boolean first = p.call(new Unlink(target));
              boolean second = p.call(new Unlink(target));
              p.call(new Send(target, "fail", null));
              ExitSignal exit = (ExitSignal) p.receive(Message.EXIT_TOPIC).payload();
              return List.of(first, second, requireNonNull(exit).result().isNormal());
            },
            null);

    assertThat(caller.error()).isNull();
    assertThat(caller.value()).isEqualTo(List.of(true, false, false));
  }

  @Test
  void unlink_fromStep_returnsWhetherALinkExisted() {
    Pid target = waitsForCancel();

    ScriptResult step =
        scriptResult(
            node.runStep(
                new Script(List.of(new Link(target), new Unlink(target), new Unlink(target))),
                null));

    assertThat(step.results()).containsExactly(true, true, false);
  }

  @Test
  void link_toAnEndedProcess_failsWithProcessNotFound_andToItself_withIllegalArgument() {
    Pid ended = endedPid();

    assertThatThrownBy(() -> node.callInCoroutine(new Link(ended)))
        .isInstanceOf(ProcessNotFoundException.class);
    assertThat(node.yieldFromStep(new Link(ended)).error())
        .isInstanceOf(ProcessNotFoundException.class);
    ProcessResult self = node.runCoroutine((p, in) -> p.call(new Link(p.pid())), null);
    assertThat(self.error()).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void monitorAndLinkCommands_fromOutsideAnyProcess_failWithNotAProcess() {
    Pid target = waitsForCancel();
    List<Command<?>> commands =
        List.of(new Monitor(target), new Unmonitor(target), new Link(target), new Unlink(target));

    for (Command<?> command : commands) {
      assertThat(callOutsideProcess(command, new CancellationSignal()))
          .as("%s", command)
          .failsWithin(TestNode.BOUND)
          .withThrowableOfType(Exception.class)
          .havingCause()
          .isInstanceOf(NotAProcessException.class);
    }
  }

  // ---- Exec (9) ----

  @Test
  void exec_completesWithTheChildsValue_inBothStylesAndForBothBodies() {
    assertThat(node.callInCoroutine(Exec.coroutine((c, in) -> in + "!", "hi"))).isEqualTo("hi!");
    assertThat(node.callInCoroutine(Exec.step(new Echo(), "step"))).isEqualTo("step");
    assertThat(node.callInCoroutine(Exec.coroutine((c, in) -> null, null))).isNull();
    assertThat(node.yieldFromStep(Exec.coroutine((c, in) -> 42, null)).result()).isEqualTo(42);
    awaitOnlyFixtureProcesses();
  }

  @Test
  void exec_ofAFailingChild_failsWithChildFailed_carryingTheChildsError_inBothStyles() {
    assertThatThrownBy(() -> node.callInCoroutine(Exec.coroutine(ProcessModuleTest::fail, null)))
        .isInstanceOfSatisfying(
            ChildFailedException.class,
            e -> assertThat(e.getMessage()).contains("child process " + e.child()))
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("boom");
    assertThat(node.yieldFromStep(Exec.step(new Failing(), null)).error())
        .isInstanceOf(ChildFailedException.class)
        .cause()
        .hasMessage("step boom");
    awaitOnlyFixtureProcesses();
  }

  @Test
  void exec_ofAChildTerminatedByAnother_failsWithChildFailed_causedByTheTermination() {
    CompletableFuture<Pid> child = new CompletableFuture<>();
    TestNode.Started caller =
        node.startCoroutine(
            (p, in) -> p.call(Exec.coroutine((c, input) -> childWaits(child, c), null)), null);

    node.scheduler().terminate(within(child), "stopped by a test");

    assertThat(caller.await().error())
        .isInstanceOf(ChildFailedException.class)
        .cause()
        .isInstanceOf(ProcessTerminatedException.class)
        .hasMessageContaining("stopped by a test");
    awaitOnlyFixtureProcesses();
  }

  @Test
  void exec_whoseSpawnFails_failsWithSpawnFailed_andLeavesNoWatcher() {
    assertThatThrownBy(() -> node.callInCoroutine(Exec.step(new FailingInit(), null)))
        .isInstanceOf(SpawnFailedException.class);
    assertThat(node.yieldFromStep(Exec.step(new FailingInit(), null)).error())
        .isInstanceOf(SpawnFailedException.class);
    awaitOnlyFixtureProcesses();
  }

  @Test
  void exec_callerCoroutineTerminatedMidCommand_terminatesTheChild_andLeavesNoProcess() {
    CompletableFuture<Pid> child = new CompletableFuture<>();
    TestNode.Started caller =
        node.startCoroutine(
            (p, in) -> p.call(Exec.coroutine((c, input) -> childWaits(child, c), null)), null);
    Pid childPid = within(child);
    node.awaitWaiting(caller.pid());

    node.scheduler().terminate(caller.pid(), "caller gone");

    assertThat(caller.await().error()).isInstanceOf(ProcessTerminatedException.class);
    TestNode.awaitCondition("the exec's child to end", () -> !node.scheduler().isAlive(childPid));
    awaitOnlyFixtureProcesses();
  }

  @Test
  void exec_callerStepTerminatedMidCommand_terminatesTheChild_andLeavesNoProcess() {
    CompletableFuture<Pid> child = new CompletableFuture<>();
    TestNode.Started caller =
        node.startStep(
            new Script(List.of(Exec.coroutine((c, input) -> childWaits(child, c), null))), null);
    Pid childPid = within(child);
    node.awaitWaiting(caller.pid());

    node.scheduler().terminate(caller.pid(), "caller gone");

    assertThat(caller.await().error()).isInstanceOf(ProcessTerminatedException.class);
    TestNode.awaitCondition("the exec's child to end", () -> !node.scheduler().isAlive(childPid));
    awaitOnlyFixtureProcesses();
  }

  @Test
  void exec_fromOutsideAnyProcess_cancelledMidCommand_terminatesTheChild_andCompletesCancelled() {
    CompletableFuture<Pid> child = new CompletableFuture<>();
    CancellationSignal signal = new CancellationSignal();
    CompletableFuture<@Nullable Object> result =
        callOutsideProcess(Exec.coroutine((c, input) -> childWaits(child, c), null), signal);
    Pid childPid = within(child);
    assertThat(result).as("pending while the child runs").isNotDone();

    signal.cancel();

    TestNode.awaitCondition("the exec's child to end", () -> !node.scheduler().isAlive(childPid));
    awaitOnlyFixtureProcesses();
    assertThatThrownBy(() -> within(result))
        .cause()
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("process.Exec was cancelled");
  }

  @Test
  void exec_whoseDeadlinePasses_terminatesChildAndWatcher_andTheCallerGoesOn() {
    try (TestNode timed = TestNode.builder().manualTime().dispatcher(new ProcessModule()).build()) {
      CompletableFuture<Pid> child = new CompletableFuture<>();
      TestNode.Started caller =
          timed.startCoroutine(
              (p, in) -> {
                try {
                  p.call(
                      Exec.coroutine((c, input) -> childWaits(child, c), null),
                      Duration.ofSeconds(5));
                  return "the exec completed";
                } catch (YieldTimeoutException expected) {
                  return p.receive("done").payload();
                }
              },
              null);
      Pid childPid = within(child);
      timed.awaitWaiting(caller.pid());
      List<Pid> watchers =
          timed.scheduler().processes().stream()
              .filter(info -> info.type().startsWith(ProcessModule.class.getName() + "$"))
              .map(ProcessInfo::pid)
              .toList();
      assertThat(watchers).as("the exec's watcher").hasSize(1);

      timed.manualTime().advance(Duration.ofSeconds(5));

      TestNode.awaitCondition(
          "the child and the watcher to end",
          () ->
              !timed.scheduler().isAlive(childPid)
                  && !timed.scheduler().isAlive(watchers.getFirst()));
      assertThat(timed.scheduler().isAlive(caller.pid())).as("the caller goes on").isTrue();
      timed.scheduler().send(caller.pid(), "done", "went on");
      assertThat(caller.await().value()).isEqualTo("went on");
    }
  }

  // ---- helpers ----

  private static Object fail(ProcessContext process, @Nullable Object input) {
    throw new IllegalStateException("boom");
  }

  private static @Nullable Object childWaits(
      CompletableFuture<Pid> child, dev.baton.process.CoroutineScope scope) {
    child.complete(scope.pid());
    return scope.receive("never");
  }

  /**
   * A live process that ends when it is cancelled, so the node's shutdown (which cancels first)
   * does not wait for it.
   */
  private Pid waitsForCancel() {
    return node.startCoroutine((p, in) -> p.receive(Message.CANCEL_TOPIC), null).pid();
  }

  /** The pid of a process that has ended. */
  private Pid endedPid() {
    return (Pid) requireNonNull(node.runCoroutine((p, in) -> p.pid(), null).value());
  }

  /** A live process that fails (with "boom") when it receives a message on "fail". */
  private Pid failOnMessage() {
    return node.scheduler()
        .spawnCoroutine(
            (p, in) -> {
              p.receive("fail");
              throw new IllegalStateException("boom");
            },
            null,
            SpawnOptions.NONE);
  }

  private void fillMailbox(Pid to) {
    for (int sent = 0; ; sent++) {
      try {
        node.scheduler().send(to, "fill", sent);
      } catch (MailboxFullException full) {
        return;
      }
    }
  }

  /** Waits until no process is left but those of the fixture, which end with what they watch. */
  private void awaitOnlyFixtureProcesses() {
    TestNode.awaitCondition("every process to end", () -> node.scheduler().processes().isEmpty());
  }

  /** The future's value, waiting at most {@link TestNode#BOUND}. */
  private static <T extends @Nullable Object> T within(CompletableFuture<T> future) {
    try {
      return future.get(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("the future did not complete within " + TestNode.BOUND, e);
    }
  }

  /** Runs {@code command}'s handler directly for a caller that is not a process. */
  private CompletableFuture<@Nullable Object> callOutsideProcess(
      Command<?> command, CancellationSignal signal) {
    CompletableFuture<@Nullable Object> future = new CompletableFuture<>();
    Handler handler =
        requireNonNull(node.services().require(Registry.KEY).handler(command.commandId()));
    try {
      handler.handle(
          CommandContext.of("a test", node.services(), signal),
          command,
          1,
          (tag, result, error) -> {
            if (error != null) {
              future.completeExceptionally(error);
            } else {
              future.complete(result);
            }
          });
    } catch (Exception thrown) {
      future.completeExceptionally(thrown);
    }
    return future;
  }

  private static ScriptResult scriptResult(ProcessResult result) {
    if (result.error() != null) {
      throw new AssertionError("the step process failed", result.error());
    }
    return (ScriptResult) requireNonNull(result.value());
  }

  /**
   * What a {@link Script} saw.
   *
   * @param completions the completions of its commands, in order
   * @param received the message on the awaited topic, if one was awaited
   */
  record ScriptResult(List<Event.Completion> completions, @Nullable Message received) {
    /** The commands' results; fails if one failed. */
    List<@Nullable Object> results() {
      List<@Nullable Object> results = new ArrayList<>();
      for (Event.Completion completion : completions) {
        if (completion.error() != null) {
          throw new AssertionError("a command failed", completion.error());
        }
        results.add(completion.result());
      }
      return results;
    }
  }

  /**
   * A step process that yields its commands one after another, then (if asked) waits for a message
   * on one topic, and ends with a {@link ScriptResult}; it stops at the first failed command.
   */
  static final class Script implements StepProcess {
    private final List<Command<?>> commands;
    private final @Nullable String awaitTopic;
    private final List<Event.Completion> completions = new ArrayList<>();
    private int next;
    private @Nullable Message received;

    Script(List<? extends Command<?>> commands) {
      this(commands, null);
    }

    Script(List<? extends Command<?>> commands, @Nullable String awaitTopic) {
      this.commands = List.copyOf(commands);
      this.awaitTopic = awaitTopic;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Event.Completion completion) {
          completions.add(completion);
          if (!completion.succeeded()) {
            out.done(new ScriptResult(List.copyOf(completions), null));
            return;
          }
        } else if (event instanceof Message message
            && message.topic().equals(awaitTopic)
            && received == null) {
          received = message;
        }
      }
      if (completions.size() < next) {
        out.waitForYields();
      } else if (next < commands.size()) {
        out.yield(commands.get(next++));
      } else if (awaitTopic != null && received == null) {
        out.idle();
      } else {
        out.done(new ScriptResult(List.copyOf(completions), received));
      }
    }
  }

  /** Ends with its input; records the input its init saw. */
  static final class Echo implements StepProcess {
    final CompletableFuture<@Nullable Object> initInput = new CompletableFuture<>();
    private @Nullable Object input;

    @Override
    public void init(ProcessContext context, @Nullable Object input) {
      this.input = input;
      initInput.complete(input);
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      out.done(input);
    }
  }

  /** Fails in its first step. */
  static final class Failing implements StepProcess {
    @Override
    public void step(List<Event> events, StepOutput out) {
      throw new IllegalStateException("step boom");
    }
  }

  /** Refuses to be spawned. */
  static final class FailingInit implements StepProcess {
    @Override
    public void init(ProcessContext context, @Nullable Object input) {
      throw new IllegalStateException("init refused");
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      out.done(null);
    }
  }

  /** Waits for messages forever. */
  static final class Idle implements StepProcess {
    @Override
    public void step(List<Event> events, StepOutput out) {
      out.idle();
    }
  }
}
