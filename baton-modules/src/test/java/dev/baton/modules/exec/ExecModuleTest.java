package dev.baton.modules.exec;

import static dev.baton.testing.TestNode.awaitCondition;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandRouter;
import dev.baton.dispatch.Registry;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.NotAProcessException;
import dev.baton.process.Event;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.process.ProcessResult;
import dev.baton.process.ProcessTerminatedException;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecModuleTest {
  private ExecModule module;
  private TestNode node;

  /** OS processes a test saw (programs and their descendants); all must be dead at the end. */
  private final List<ProcessHandle> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void boot() {
    module = new ExecModule();
    node = TestNode.builder().dispatcher(module).build();
  }

  @AfterEach
  void everyOsProcessIsDead() {
    node.close(); // stops the module, which kills what is left
    awaitCondition(
        "every OS process the test started to end",
        () ->
            seen.stream().noneMatch(ProcessHandle::isAlive)
                && ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive));
  }

  // ---- exit codes ----

  @Test
  void true_exitsWithZero_andWaitCompletesWithTheStatus() {
    ExitStatus status = startAndWait(Exec.Start.of("true"));

    assertThat(status.exitCode()).isZero();
    assertThat(status.succeeded()).isTrue();
    assertThat(status.killed()).isFalse();
    awaitCondition("the owner's end to release the handle", () -> module.programCount() == 0);
  }

  @Test
  void duration_coversTheProgramsRun() {
    ExitStatus status = startAndWait(Exec.Start.of("sleep", "0.2"));

    assertThat(status.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void false_failsTheWaitWithNonZeroExit_namingTheProgramAndCode() {
    assertThatThrownBy(() -> startAndWait(Exec.Start.of("false")))
        .isInstanceOfSatisfying(
            NonZeroExitException.class,
            e -> {
              assertThat(e.program()).isEqualTo("false");
              assertThat(e.exitCode()).isEqualTo(1);
              assertThat(e.status().exitCode()).isEqualTo(1);
            })
        .hasMessageContaining("program false exited with code 1");
  }

  @Test
  void shExit3_failsWithCode3_carryingTheOutput_orCompletesWhenNotChecked() {
    Exec.Start start = Exec.Start.of("sh", "-c", "echo oops >&2; exit 3");

    assertThatThrownBy(() -> startAndWait(start))
        .isInstanceOfSatisfying(
            NonZeroExitException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(3);
              assertThat(e.status().stderrText()).isEqualTo("oops\n");
            })
        .hasMessageContaining("code 3")
        .hasMessageContaining("stderr: oops");

    ProcessResult unchecked =
        node.runCoroutine(
            (process, input) -> {
              Exec.ExecId id = process.call(start);
              return process.call(new Exec.ProcessWait(id, false));
            },
            null);
    assertThat(((ExitStatus) requireNonNull(unchecked.value(), "status")).exitCode()).isEqualTo(3);
  }

  // ---- output ----

  @Test
  void output_isCapturedFromBothStreams() {
    ExitStatus status =
        startAndWait(Exec.Start.of("sh", "-c", "printf 'to out'; printf 'to err' >&2"));

    assertThat(status.stdoutText()).isEqualTo("to out");
    assertThat(status.stderrText()).isEqualTo("to err");
    assertThat(status.stdoutTruncated()).isFalse();
    assertThat(status.stderrTruncated()).isFalse();
  }

  @Test
  void output_beyondTheLimit_keepsTheFirstBytes_andSaysTruncated() {
    ExitStatus small =
        startAndWait(
            Exec.Start.of("head", "-c", "100000", "/dev/zero")
                .withStdout(Exec.Output.capture(1000)));
    ExitStatus byDefault = startAndWait(Exec.Start.of("head", "-c", "100000", "/dev/zero"));

    assertThat(small.stdout()).hasSize(1000).containsOnly((byte) 0);
    assertThat(small.stdoutTruncated()).isTrue();
    assertThat(byDefault.stdout()).hasSize(Exec.DEFAULT_CAPTURE_LIMIT);
    assertThat(byDefault.stdoutTruncated()).isTrue();
    assertThat(byDefault.stderrTruncated()).isFalse();
  }

  @Test
  void aBackgroundDescendantHoldingThePipe_doesNotHoldTheStatusBackPastTheGrace(
      @TempDir Path directory) throws IOException {
    Path pidFile = directory.resolve("orphan.pid");
    long startNanos = System.nanoTime();
    ExitStatus status;
    try {
      status =
          startAndWait(
              Exec.Start.of("sh", "-c", "sleep 60 & echo $! > \"$1\"", "sh", pidFile.toString()));
    } finally {
      // Reparented when sh exited: no longer the module's to kill, so the test kills it, even
      // when the wait failed.
      if (Files.exists(pidFile)) {
        ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()))
            .ifPresent(
                orphan -> {
                  seen.add(orphan);
                  orphan.destroyForcibly();
                });
      }
    }
    Duration waited = Duration.ofNanos(System.nanoTime() - startNanos);

    assertThat(status.exitCode()).isZero();
    // Whether the late output is flagged truncated is best-effort (the JDK may close the pipe
    // first); what matters is that the status arrived by the grace, not when the sleep ends.
    assertThat(waited).isLessThan(RunningProgram.OUTPUT_GRACE.plus(Duration.ofSeconds(5)));
  }

  @Test
  void output_canGoToAFile_orBeDiscarded(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("out.txt");

    ExitStatus status =
        startAndWait(
            Exec.Start.of("sh", "-c", "printf saved; printf dropped >&2")
                .withStdout(Exec.Output.toFile(file))
                .withStderr(Exec.Output.discard()));

    assertThat(Files.readString(file)).isEqualTo("saved");
    assertThat(status.stdout()).isEmpty();
    assertThat(status.stderr()).isEmpty();
    assertThat(status.stdoutTruncated()).isFalse();
  }

  @Test
  void arguments_reachTheProgramLiterally_noShellInterpolation() {
    String argument = "$(echo pwned); echo x `id` * ~ \"quoted\" 'single'";

    ExitStatus status = startAndWait(Exec.Start.of("printf", "%s", argument));

    assertThat(status.stdoutText()).isEqualTo(argument);
  }

  @Test
  void workingDirectory_andEnvironmentAdditions_apply(@TempDir Path directory) throws IOException {
    ExitStatus status =
        startAndWait(
            Exec.Start.of("sh", "-c", "pwd; printf %s \"$BATON_TEST\"")
                .inDirectory(directory)
                .withEnvironment(Map.of("BATON_TEST", "value; $(not run)")));

    assertThat(status.stdoutText()).isEqualTo(directory.toRealPath() + "\n" + "value; $(not run)");
  }

  // ---- start failures ----

  @Test
  void aMissingProgram_failsStartWithExecStartException_namingIt() {
    assertThatThrownBy(() -> startAndWait(Exec.Start.of("baton-no-such-program-42", "x")))
        .isInstanceOfSatisfying(
            ExecStartException.class,
            e -> {
              assertThat(e.program()).isEqualTo("baton-no-such-program-42");
              assertThat(e.getCause()).isInstanceOf(IOException.class);
            })
        .hasMessageContaining("could not start program baton-no-such-program-42");
    assertThat(module.programCount()).isZero();
  }

  @Test
  void aMissingWorkingDirectory_failsStartWithExecStartException(@TempDir Path directory) {
    Path missing = directory.resolve("missing");

    Event.Completion completion = node.yieldFromStep(Exec.Start.of("true").inDirectory(missing));

    assertThat(completion.error())
        .isInstanceOf(ExecStartException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void badCommands_areRefusedWhenBuilt() {
    assertThatThrownBy(() -> Exec.Start.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> Exec.Start.of(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Exec.Start.of("echo", "a\0b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("command[1]");
    assertThatThrownBy(() -> Exec.Start.of("env").withEnvironment(Map.of("A=B", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("A=B");
    assertThatThrownBy(() -> Exec.Output.capture(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Exec.Kill(null, true)).isInstanceOf(NullPointerException.class);
  }

  // ---- kill ----

  @Test
  void kill_ofARunningSleep_returnsTrue_andTheWaitReportsTheSignalExit() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              Exec.ExecId id = process.call(Exec.Start.of("sleep", "60"));
              remember(id);
              boolean wasRunning = process.call(new Exec.Kill(id, false));
              try {
                process.call(new Exec.ProcessWait(id));
                return "the wait succeeded";
              } catch (NonZeroExitException e) {
                return List.of(wasRunning, e.exitCode(), e.status().killed(), e.getMessage());
              }
            },
            null);

    assertThat(result.error()).isNull();
    List<?> values = (List<?>) requireNonNull(result.value(), "value");
    assertThat(values.get(0)).isEqualTo(true);
    assertThat(values.get(1)).as("128 + SIGTERM").isEqualTo(143);
    assertThat(values.get(2)).isEqualTo(true);
    assertThat((String) values.get(3)).contains("killed by signal 15");
  }

  @Test
  void killForcibly_fromAStepProcess_endsWithSigkill() {
    ProcessResult result = node.runStep(new StartKillWait(Exec.Start.of("sleep", "60")), null);

    assertThat(result.error()).isNull();
    List<?> completions = (List<?>) requireNonNull(result.value(), "value");
    assertThat(((Event.Completion) completions.get(1)).result()).isEqualTo(true);
    Event.Completion waited = (Event.Completion) completions.get(2);
    assertThat(waited.error()).isInstanceOf(NonZeroExitException.class);
    assertThat(((NonZeroExitException) requireNonNull(waited.error())).exitCode())
        .as("128 + SIGKILL")
        .isEqualTo(137);
  }

  @Test
  void kill_ofAProgramThatAlreadyExited_returnsFalse_andTheWaitStillReportsIt() {
    CompletableFuture<Exec.ExecId> started = new CompletableFuture<>();
    TestNode.Started owner =
        node.startCoroutine(
            (process, input) -> {
              Exec.ExecId id = process.call(Exec.Start.of("true"));
              started.complete(id);
              process.receive("go");
              boolean wasRunning = process.call(new Exec.Kill(id, true));
              ExitStatus status = process.call(new Exec.ProcessWait(id));
              return List.of(wasRunning, status.exitCode(), status.killed());
            },
            null);
    Exec.ExecId id = started.orTimeout(10, TimeUnit.SECONDS).join();
    awaitCondition("true to exit", () -> module.osProcess(id).isEmpty());

    node.scheduler().send(owner.pid(), "go", null);

    assertThat(owner.await().value()).isEqualTo(List.of(false, 0, false));
  }

  @Test
  void kill_endsTheProgramsDescendantsToo() {
    CompletableFuture<Exec.ExecId> started = new CompletableFuture<>();
    TestNode.Started owner =
        node.startCoroutine(
            (process, input) -> {
              Exec.ExecId id =
                  process.call(Exec.Start.of("sh", "-c", "sleep 60 & sleep 60 & wait"));
              started.complete(id);
              process.receive("go");
              boolean wasRunning = process.call(new Exec.Kill(id, false));
              process.call(new Exec.ProcessWait(id, false));
              return wasRunning;
            },
            null);
    Exec.ExecId id = started.orTimeout(10, TimeUnit.SECONDS).join();
    ProcessHandle shell = module.osProcess(id).orElseThrow();
    seen.add(shell);
    awaitCondition("the two sleeps to start", () -> shell.descendants().count() == 2);
    List<ProcessHandle> sleeps = shell.descendants().toList();
    seen.addAll(sleeps);

    node.scheduler().send(owner.pid(), "go", null);

    assertThat(owner.await().value()).isEqualTo(true);
    awaitCondition(
        "the shell and both sleeps to end",
        () -> !shell.isAlive() && sleeps.stream().noneMatch(ProcessHandle::isAlive));
  }

  // ---- ownership and the owner's end ----

  @Test
  void whenTheOwnerIsTerminated_itsProgramIsKilled_andItsPendingWaitStops() {
    CompletableFuture<Exec.ExecId> started = new CompletableFuture<>();
    TestNode.Started owner =
        node.startCoroutine(
            (process, input) -> {
              Exec.ExecId id = process.call(Exec.Start.of("sleep", "60"));
              started.complete(id);
              return process.call(new Exec.ProcessWait(id)); // pending until terminated
            },
            null);
    Exec.ExecId id = started.orTimeout(10, TimeUnit.SECONDS).join();
    ProcessHandle sleep = module.osProcess(id).orElseThrow();
    seen.add(sleep);
    node.awaitWaiting(owner.pid());

    node.scheduler().terminate(owner.pid());

    assertThat(owner.await().error()).isInstanceOf(ProcessTerminatedException.class);
    awaitCondition("the sleep to be killed", () -> !sleep.isAlive());
    awaitCondition("the handle to be released", () -> module.programCount() == 0);
  }

  @Test
  void whenTheOwnerEndsNormally_itsUnwaitedProgramIsKilled() {
    ProcessResult owner =
        node.runCoroutine(
            (process, input) -> {
              Exec.ExecId id = process.call(Exec.Start.of("sleep", "60"));
              return module.osProcess(id).orElseThrow();
            },
            null);
    ProcessHandle sleep = (ProcessHandle) requireNonNull(owner.value(), "handle");
    seen.add(sleep);

    awaitCondition("the sleep to be killed", () -> !sleep.isAlive());
    assertThat(module.programCount()).isZero();
  }

  @Test
  void anotherProcessesExecId_isHandleNotFound_forWaitAndKill() {
    CompletableFuture<Exec.ExecId> started = new CompletableFuture<>();
    TestNode.Started owner =
        node.startCoroutine(
            (process, input) -> {
              Exec.ExecId id = process.call(Exec.Start.of("sleep", "60"));
              started.complete(id);
              process.receive("go");
              return process.call(new Exec.Kill(id, true));
            },
            null);
    Exec.ExecId id = started.orTimeout(10, TimeUnit.SECONDS).join();
    remember(id);

    assertThatThrownBy(() -> node.callInCoroutine(new Exec.ProcessWait(id)))
        .isInstanceOf(HandleNotFoundException.class)
        .hasMessageContaining("OS process " + id.value());
    Event.Completion kill = node.yieldFromStep(new Exec.Kill(id, true));
    assertThat(kill.error()).isInstanceOf(HandleNotFoundException.class);
    assertThat(module.osProcess(id)).as("still running for its owner").isPresent();

    node.scheduler().send(owner.pid(), "go", null);
    assertThat(owner.await().value()).isEqualTo(true);
  }

  @Test
  void everyWait_afterTheExit_returnsTheKeptStatus_withCheckExitCodeEachTime() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              Exec.ExecId id = process.call(Exec.Start.of("sh", "-c", "printf x; exit 4"));
              ExitStatus first = process.call(new Exec.ProcessWait(id, false));
              ExitStatus second = process.call(new Exec.ProcessWait(id, false));
              try {
                process.call(new Exec.ProcessWait(id));
                return "the checked wait succeeded";
              } catch (NonZeroExitException e) {
                return List.of(first.equals(second), second.stdoutText(), e.status().equals(first));
              }
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(true, "x", true));
    awaitCondition("the owner's end to release the handle", () -> module.programCount() == 0);
  }

  @Test
  void aWaitWhoseDeadlinePassed_thenKill_thenWait_reportsTheKill() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              Exec.ExecId id = process.call(Exec.Start.of("sleep", "60"));
              remember(id);
              try {
                process.call(new Exec.ProcessWait(id), Duration.ofMillis(50));
                return "the sleep exited early";
              } catch (YieldTimeoutException expected) {
                // the documented pattern: kill it, then wait for the exit
              }
              boolean wasRunning = process.call(new Exec.Kill(id, true));
              ExitStatus status = process.call(new Exec.ProcessWait(id, false));
              ExitStatus again = process.call(new Exec.ProcessWait(id, false));
              return List.of(wasRunning, status.exitCode(), status.killed(), again.equals(status));
            },
            null);

    assertThat(result.error()).isNull();
    assertThat(result.value()).isEqualTo(List.of(true, 137, true, true));
  }

  @Test
  void aPoliteKillTheProgramTraps_isNotReportedAsKilled(@TempDir Path directory) {
    Path ready = directory.resolve("ready");
    CompletableFuture<Exec.ExecId> started = new CompletableFuture<>();
    TestNode.Started owner =
        node.startCoroutine(
            (process, input) -> {
              Exec.ExecId id =
                  process.call(
                      Exec.Start.of(
                          "sh",
                          "-c",
                          "trap 'exit 0' TERM; : > \"$1\"; while :; do :; done",
                          "sh",
                          ready.toString()));
              started.complete(id);
              process.receive("go");
              boolean wasRunning = process.call(new Exec.Kill(id, false));
              ExitStatus status = process.call(new Exec.ProcessWait(id, false));
              return List.of(wasRunning, status.exitCode(), status.killed());
            },
            null);
    Exec.ExecId id = started.orTimeout(10, TimeUnit.SECONDS).join();
    remember(id);
    awaitCondition("the trap to be set", () -> Files.exists(ready));

    node.scheduler().send(owner.pid(), "go", null);

    assertThat(owner.await().value()).isEqualTo(List.of(true, 0, false));
  }

  @Test
  void aToFileOutputInAMissingDirectory_failsStart_namingTheFile(@TempDir Path directory) {
    Path file = directory.resolve("missing").resolve("out.txt");

    Event.Completion completion =
        node.yieldFromStep(Exec.Start.of("true").withStdout(Exec.Output.toFile(file)));

    assertThat(completion.error())
        .isInstanceOf(ExecStartException.class)
        .hasMessageContaining(file.toString())
        .hasMessageNotContaining("on PATH");
    assertThat(module.programCount()).isZero();
  }

  @Test
  void stepOwnerEndedDuringProcessWait_killsTheProgram_andReleasesIt() {
    TestNode.Started owner = node.startStep(new StartThenWait(Exec.Start.of("sleep", "60")), null);
    awaitCondition("the sleep to start", () -> module.programCount() == 1);
    node.awaitWaiting(owner.pid());
    ProcessHandle sleep =
        ProcessHandle.current().children().filter(ProcessHandle::isAlive).findFirst().orElseThrow();
    seen.add(sleep);

    node.scheduler().terminate(owner.pid());

    assertThat(owner.await().error()).isInstanceOf(ProcessTerminatedException.class);
    awaitCondition("the sleep to be killed", () -> !sleep.isAlive());
    awaitCondition("the handle to be released", () -> module.programCount() == 0);
  }

  @Test
  void ownerEndedWhileStartIsLaunching_theProgramIsKilled_andNothingIsHeld() {
    TestNode.Started owner =
        node.startStep(new TestNode.YieldOnce(Exec.Start.of("sleep", "60")), null);

    boolean terminated;
    try {
      node.scheduler().terminate(owner.pid()); // whether the launch finished yet or not
      terminated = true;
    } catch (ProcessNotFoundException endedFirst) {
      // The launch finished and the step ended before the terminate: its end must release the
      // program all the same (this race made the test fail on a loaded machine).
      terminated = false;
    }

    ProcessResult result = owner.await();
    if (terminated) {
      assertThat(result.error()).isInstanceOf(ProcessTerminatedException.class);
    }
    awaitCondition(
        "no program held and no child alive",
        () ->
            module.programCount() == 0
                && ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void moduleStop_killsAProgramWithAPendingWait_whichCompletes_andLaterStartsAreRefused() {
    CompletableFuture<Exec.ExecId> started = new CompletableFuture<>();
    TestNode.Started owner =
        node.startCoroutine(
            (process, input) -> {
              Exec.ExecId id = process.call(Exec.Start.of("sleep", "60"));
              started.complete(id);
              ExitStatus status = process.call(new Exec.ProcessWait(id, false));
              try {
                process.call(Exec.Start.of("true"));
                return "started after stop";
              } catch (ExecStoppedException e) {
                return List.of(status.exitCode(), status.killed(), e.getMessage());
              }
            },
            null);
    Exec.ExecId id = started.orTimeout(10, TimeUnit.SECONDS).join();
    remember(id);
    node.awaitWaiting(owner.pid());

    module.stop();

    List<?> values = (List<?>) requireNonNull(owner.await().value(), "value");
    assertThat(values.get(0)).isEqualTo(137);
    assertThat(values.get(1)).isEqualTo(true);
    assertThat((String) values.get(2)).contains("stopped");
    assertThat(module.programCount()).isZero();
  }

  @Test
  void start_fromACallerThatIsNotAProcess_failsWithNotAProcess() {
    AtomicReference<@Nullable Throwable> error = new AtomicReference<>();
    new CommandRouter(node.services().require(Registry.KEY))
        .route(
            CommandContext.of("a test", node.services(), new CancellationSignal()),
            Exec.Start.of("true"),
            1,
            (tag, result, failure) -> error.set(failure));

    assertThat(error.get()).isInstanceOf(NotAProcessException.class);
    assertThat(module.programCount()).isZero();
  }

  @Test
  void stepProcess_startsAndWaits_andReceivesTheStatus() {
    ProcessResult result = node.runStep(new StartKillWait(Exec.Start.of("printf", "step")), null);

    List<?> completions = (List<?>) requireNonNull(result.value(), "value");
    Event.Completion waited = (Event.Completion) completions.get(1);
    assertThat(waited.error()).isNull();
    assertThat(((ExitStatus) requireNonNull(waited.result())).stdout())
        .isEqualTo("step".getBytes(StandardCharsets.UTF_8));
  }

  // ---- helpers ----

  private ExitStatus startAndWait(Exec.Start start) {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              Exec.ExecId id = process.call(start);
              remember(id);
              return process.call(new Exec.ProcessWait(id));
            },
            null);
    if (result.error() instanceof RuntimeException failure) {
      throw failure;
    }
    assertThat(result.error()).isNull();
    return (ExitStatus) requireNonNull(result.value(), "status");
  }

  /** Starts a program, then waits for it; ends with the wait's completion. */
  private static final class StartThenWait implements StepProcess {
    private final Exec.Start start;
    private boolean started;

    StartThenWait(Exec.Start start) {
      this.start = start;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Event.Completion completion) {
          if (started || completion.error() != null) {
            out.done(completion);
            return;
          }
          started = true;
          out.yield(new Exec.ProcessWait((Exec.ExecId) requireNonNull(completion.result())));
          return;
        }
      }
      if (!started) {
        out.yield(start);
      } else {
        out.waitForYields();
      }
    }
  }

  private void remember(Exec.ExecId id) {
    module.osProcess(id).ifPresent(seen::add);
  }

  /**
   * Starts a program; kills it forcibly if it is {@code sleep}, then waits; ends with the
   * completions it received, in order.
   */
  private static final class StartKillWait implements StepProcess {
    private final Exec.Start start;
    private final List<Event.Completion> completions = new ArrayList<>();

    StartKillWait(Exec.Start start) {
      this.start = start;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Event.Completion completion) {
          completions.add(completion);
        }
      }
      boolean kill = start.program().equals("sleep");
      int steps = kill ? 3 : 2;
      if (completions.isEmpty()) {
        out.yield(start);
        return;
      }
      if (completions.getLast().error() instanceof ExecStartException
          || completions.size() == steps) {
        out.done(List.copyOf(completions));
        return;
      }
      Exec.ExecId id = (Exec.ExecId) requireNonNull(completions.getFirst().result());
      if (kill && completions.size() == 1) {
        out.yield(new Exec.Kill(id, true));
      } else {
        out.yield(new Exec.ProcessWait(id));
      }
    }
  }
}
