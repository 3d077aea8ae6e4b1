package dev.baton.process;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.UnknownCommandException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchedulerTest {

  /** The completion a {@link TestProcesses.YieldOnce} ended with. */
  private static Event.Completion completionOf(ProcessResult result) {
    return (Event.Completion) requireNonNull(result.value(), "the process ended without a value");
  }

  @ParameterizedTest(name = "{0} worker(s)")
  @ValueSource(ints = {1, 2})
  void counter_yieldingFiveTimes_completesWithFive(int workers) throws Exception {
    try (Harness harness = new Harness(workers)) {
      TestProcesses.Counter counter = new TestProcesses.Counter(5);

      Pid pid = harness.scheduler.spawn(counter);

      assertThat(harness.result(pid)).isEqualTo(ProcessResult.normal(5));
    }
  }

  @Test
  void counterOfFive_onOneWorker_takesExactlySixSteps() throws Exception {
    try (Harness harness = new Harness(1)) {
      TestProcesses.Counter counter = new TestProcesses.Counter(5);

      harness.result(harness.scheduler.spawn(counter));

      assertThat(counter.steps).hasValue(6);
    }
  }

  @Test
  void tenProcesses_ofAHundredSteps_allComplete() throws Exception {
    try (Harness harness = new Harness(2)) {
      List<Pid> pids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        pids.add(harness.scheduler.spawn(new TestProcesses.Counter(100)));
      }

      for (Pid pid : pids) {
        assertThat(harness.result(pid).value()).isEqualTo(100);
      }
    }
  }

  @Test
  void aProcessAskingToContinue_runsAgainWithoutAnyEvent() throws Exception {
    try (Harness harness = new Harness(2)) {
      assertThat(harness.result(harness.scheduler.spawn(new TestProcesses.Spinner(50))).value())
          .isEqualTo(50);
    }
  }

  @Test
  void aSleepingProcess_completesNoSoonerThanItsSleep() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawn(
              new TestProcesses.YieldOnce(new Harness.Sleep(Duration.ofSeconds(5))));
      harness.awaitState(pid, ProcessState.BLOCKED);

      harness.time.advance(Duration.ofMillis(4_999));
      assertThat(harness.time.pendingTasks()).as("the sleep's timer has not fired").isEqualTo(1);
      assertThat(harness.hasEnded(pid)).isFalse();
      harness.time.advance(Duration.ofMillis(1));

      assertThat(harness.result(pid).value()).isEqualTo(new Event.Completion(1, "slept", null));
    }
  }

  @Test
  void aHundredBusyProcesses_spreadOverBothWorkers() throws Exception {
    try (Harness harness = new Harness(2)) {
      List<Pid> pids = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        // Each step keeps its worker busy for 200 microseconds, more than one worker can keep up
        // with, so the second worker must take its share.
        pids.add(
            harness.scheduler.spawn(
                (events, out) -> {
                  long until = System.nanoTime() + 200_000;
                  while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                  }
                  out.done(null);
                }));
      }
      for (Pid pid : pids) {
        harness.result(pid);
      }

      SchedulerStats stats = harness.scheduler.stats();
      assertThat(stats.executed()).isEqualTo(100);
      assertThat(stats.workers()).hasSize(2).allSatisfy(w -> assertThat(w.executed()).isPositive());
      assertThat(stats.spawned()).isEqualTo(100);
    }
  }

  @Test
  void startAndCompletionHooks_runOncePerProcess_withItsPid() throws Exception {
    try (Harness harness = new Harness(2)) {
      List<Pid> pids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        pids.add(harness.scheduler.spawn(new TestProcesses.Counter(3)));
      }
      for (Pid pid : pids) {
        harness.result(pid);
      }

      assertThat(harness.started).containsExactlyInAnyOrderElementsOf(pids);
      assertThat(harness.ended).containsExactlyInAnyOrderElementsOf(pids);
    }
  }

  @Test
  void everyProcess_isClosedOnce_andThePidTableEmptiesAfterwards() throws Exception {
    try (Harness harness = new Harness(2)) {
      List<TestProcesses.Counter> counters = new ArrayList<>();
      List<Pid> pids = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        TestProcesses.Counter counter = new TestProcesses.Counter(2);
        counters.add(counter);
        pids.add(harness.scheduler.spawn(counter));
      }
      for (Pid pid : pids) {
        harness.result(pid);
      }

      assertThat(counters).allSatisfy(counter -> assertThat(counter.closes).hasValue(1));
      assertThat(harness.scheduler.processes()).isEmpty();
      assertThat(harness.scheduler.stats().processes()).isZero();
      assertThat(pids).noneMatch(harness.scheduler::isAlive);
    }
  }

  @Test
  void spawn_runsInitBeforeReturningThePid_andPassesTheInput() throws Exception {
    try (Harness harness = new Harness(1)) {
      AtomicReference<@Nullable Object> seenInput = new AtomicReference<>();
      AtomicReference<Pid> seenPid = new AtomicReference<>();
      StepProcess process =
          new StepProcess() {
            @Override
            public void init(ProcessContext context, @Nullable Object input) {
              seenInput.set(input);
              seenPid.set(context.pid());
            }

            @Override
            public void step(List<Event> events, StepOutput out) {
              out.done("ran");
            }
          };

      Pid pid = harness.scheduler.spawn(process, "input");

      assertThat(seenInput.get()).isEqualTo("input");
      assertThat(seenPid.get()).isEqualTo(pid);
      assertThat(harness.result(pid).value()).isEqualTo("ran");
    }
  }

  @Test
  void spawn_whoseInitThrows_createsNoProcess() {
    try (Harness harness = new Harness(1)) {
      StepProcess broken = TestProcesses.failingInit(new IllegalArgumentException("bad input"));

      assertThatThrownBy(() -> harness.scheduler.spawn(broken))
          .isInstanceOf(SpawnFailedException.class)
          .hasMessageContaining("bad input");
      assertThat(harness.scheduler.processes()).isEmpty();
      assertThat(harness.started).isEmpty();
    }
  }

  // ---- edges -----------------------------------------------------------------------------------

  @Test
  void unknownCommandId_arrivesAsANotFoundErrorEventCarryingTheId() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawn(
              new TestProcesses.YieldOnce(new Harness.Counted(CommandId.of(999))));

      Event.Completion completion = completionOf(harness.result(pid));

      assertThat(completion.tag()).isEqualTo(1);
      assertThat(completion.error())
          .isInstanceOfSatisfying(
              UnknownCommandException.class,
              e -> assertThat(e.commandId()).isEqualTo(CommandId.of(999)));
    }
  }

  @Test
  void handlerThatThrows_arrivesAsAnErrorEvent() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid = harness.scheduler.spawn(new TestProcesses.YieldOnce(new Harness.Fail("broken")));

      Event.Completion completion = completionOf(harness.result(pid));

      assertThat(completion.error()).isInstanceOf(IllegalStateException.class).hasMessage("broken");
    }
  }

  @Test
  void aTagCompletedTwice_isDeliveredOnce() throws Exception {
    try (Harness harness = new Harness(1)) {
      TestProcesses.YieldOnce process = new TestProcesses.YieldOnce(new Harness.Twice());

      Pid pid = harness.scheduler.spawn(process);

      assertThat(harness.result(pid).value()).isEqualTo(new Event.Completion(1, "first", null));
      assertThat(process.seen).hasSize(1);
    }
  }

  @Test
  void aCompletionForAnEndedProcess_isDropped_andItsCommandReleased() throws Exception {
    try (Harness harness = new Harness(1)) {
      Harness.Counted hold = new Harness.Counted(Harness.HOLD);
      TestProcesses.YieldOnce process = new TestProcesses.YieldOnce(hold);
      Pid pid = harness.scheduler.spawn(process);
      Harness.Held held = harness.awaitHeld(1).getFirst();
      harness.scheduler.terminate(pid);
      harness.result(pid);

      held.complete("too late");

      assertThat(process.seen).isEmpty();
      assertThat(hold.releases).hasValue(1);
    }
  }

  @Test
  void aYieldPastItsDeadline_getsATimeout_andItsLateCompletionIsDropped() throws Exception {
    try (Harness harness = new Harness(1)) {
      Harness.Counted hold = new Harness.Counted(Harness.HOLD);
      TestProcesses.YieldOnce process = new TestProcesses.YieldOnce(hold, Duration.ofSeconds(2));
      Pid pid = harness.scheduler.spawn(process);
      Harness.Held held = harness.awaitHeld(1).getFirst();

      harness.time.advance(Duration.ofSeconds(2));
      Event.Completion timedOut = completionOf(harness.result(pid));
      held.complete("late");

      assertThat(timedOut.error())
          .isInstanceOfSatisfying(
              YieldTimeoutException.class, e -> assertThat(e.tag()).isEqualTo(1));
      assertThat(process.seen).hasSize(1);
      assertThat(hold.releases).hasValue(1);
    }
  }

  @Test
  void aYieldCompletingBeforeItsDeadline_isNotTimedOutLater() throws Exception {
    try (Harness harness = new Harness(1)) {
      TestProcesses.YieldOnce process =
          new TestProcesses.YieldOnce(new Harness.Echo("quick"), Duration.ofSeconds(2));

      Pid pid = harness.scheduler.spawn(process);
      assertThat(harness.result(pid).value()).isEqualTo(new Event.Completion(1, "quick", null));
      harness.time.advance(Duration.ofSeconds(5));

      assertThat(process.seen).hasSize(1);
      assertThat(harness.time.pendingTasks()).isZero();
    }
  }

  @Test
  void aStepThatThrows_endsTheProcessWithThatError() throws Exception {
    try (Harness harness = new Harness(1)) {
      IllegalStateException failure = new IllegalStateException("step failed");

      Pid pid =
          harness.scheduler.spawn(
              (events, out) -> {
                throw failure;
              });

      assertThat(harness.result(pid)).isEqualTo(ProcessResult.failed(failure));
    }
  }

  @Test
  void yieldsWrittenWithDone_areDiscarded_andReleased() throws Exception {
    try (Harness harness = new Harness(1)) {
      Harness.Counted hold = new Harness.Counted(Harness.HOLD);

      Pid pid =
          harness.scheduler.spawn(
              (events, out) -> {
                out.yield(hold);
                out.done("finished");
              });

      assertThat(harness.result(pid).value()).isEqualTo("finished");
      assertThat(harness.held).isEmpty();
      assertThat(hold.releases).hasValue(1);
    }
  }

  @Test
  void aCompletedCommand_isReleasedOnceItsEventWasStepped() throws Exception {
    try (Harness harness = new Harness(1)) {
      Harness.Counted echo = new Harness.Counted(Harness.ECHO);
      // Counted has the echo id but the echo handler casts to Echo: the failure still completes it.
      Pid pid = harness.scheduler.spawn(new TestProcesses.YieldOnce(echo));

      harness.result(pid);

      assertThat(echo.releases).hasValue(1);
    }
  }

  @Test
  void aTagReusedWhilePending_isReportedAsAnErrorEvent_andNotDispatched() throws Exception {
    try (Harness harness = new Harness(1)) {
      AtomicInteger step = new AtomicInteger();
      List<Event> seen = new ArrayList<>();
      Pid pid =
          harness.scheduler.spawn(
              (events, out) -> {
                seen.addAll(events);
                if (step.incrementAndGet() == 1) {
                  out.yield(new Harness.Hold(), 7);
                  out.yield(new Harness.Hold(), 7);
                } else {
                  out.done(null);
                }
              });

      harness.result(pid);

      assertThat(seen)
          .singleElement()
          .satisfies(
              event ->
                  assertThat(((Event.Completion) event).error())
                      .isInstanceOf(TagInUseException.class));
      assertThat(harness.held).hasSize(1);
    }
  }

  // ---- messages, cancel, terminate ------------------------------------------------------------

  @Test
  void send_deliversMessagesInOrder_andWakesAnIdleProcess() throws Exception {
    try (Harness harness = new Harness(2)) {
      TestProcesses.Inbox inbox = new TestProcesses.Inbox();
      Pid pid = harness.scheduler.spawn(inbox);
      harness.awaitState(pid, ProcessState.IDLE);

      harness.scheduler.send(pid, "greeting", "hello");
      harness.scheduler.send(pid, "stop", "bye");

      assertThat(harness.result(pid).value()).isEqualTo("bye");
      assertThat(inbox.received).extracting(Message::topic).containsExactly("greeting", "stop");
    }
  }

  @Test
  void send_toAnUnknownOrEndedPid_failsWithProcessNotFound() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid ended = harness.scheduler.spawn(new TestProcesses.Counter(1));
      harness.result(ended);

      assertThatThrownBy(() -> harness.scheduler.send(ended, "x", null))
          .isInstanceOf(ProcessNotFoundException.class)
          .hasMessageContaining(ended.toString());
      assertThatThrownBy(() -> harness.scheduler.send(new Pid(9_999), "x", null))
          .isInstanceOf(ProcessNotFoundException.class);
      assertThatThrownBy(() -> harness.scheduler.terminate(new Pid(9_999)))
          .isInstanceOf(ProcessNotFoundException.class);
    }
  }

  @Test
  void send_toAFullMailbox_failsWithMailboxFull_andLosesNothingAlreadyQueued() throws Exception {
    try (Harness harness = new Harness(1, builder -> builder.mailboxCapacity(2))) {
      AtomicBoolean release = new AtomicBoolean();
      TestProcesses.Inbox inbox = new TestProcesses.Inbox();
      // A process whose first step blocks until released, so its mailbox fills meanwhile.
      Pid pid =
          harness.scheduler.spawn(
              (events, out) -> {
                while (!release.get()) {
                  Thread.onSpinWait();
                }
                inbox.step(events, out);
              });
      harness.awaitState(pid, ProcessState.RUNNING);

      harness.scheduler.send(pid, "one", 1);
      harness.scheduler.send(pid, "two", 2);
      assertThatThrownBy(() -> harness.scheduler.send(pid, "three", 3))
          .isInstanceOf(MailboxFullException.class)
          .hasMessageContaining("2 messages");
      release.set(true);
      harness.awaitState(pid, ProcessState.IDLE);
      harness.scheduler.send(pid, "stop", "done");

      assertThat(harness.result(pid).value()).isEqualTo("done");
      assertThat(inbox.received).extracting(Message::topic).containsExactly("one", "two", "stop");
    }
  }

  @Test
  void cancel_deliversACooperativeCancelMessage() throws Exception {
    try (Harness harness = new Harness(1)) {
      TestProcesses.Recorder recorder = new TestProcesses.Recorder();
      Pid pid = harness.scheduler.spawn(recorder);
      harness.awaitState(pid, ProcessState.IDLE);

      harness.scheduler.cancel(pid, "please stop");
      harness.awaitState(pid, ProcessState.IDLE);

      assertThat(recorder.seen)
          .containsExactly(new Message(Message.CANCEL_TOPIC, "please stop", null));
      assertThat(harness.scheduler.isAlive(pid)).isTrue();
    }
  }

  @Test
  void terminate_aBlockedProcess_endsItWithTerminated_andCancelsItsContext() throws Exception {
    try (Harness harness = new Harness(1)) {
      AtomicReference<ProcessContext> context = new AtomicReference<>();
      Pid pid =
          harness.scheduler.spawn(
              new StepProcess() {
                @Override
                public void init(ProcessContext ctx, @Nullable Object input) {
                  context.set(ctx);
                }

                @Override
                public void step(List<Event> events, StepOutput out) {
                  out.yield(new Harness.Hold());
                }
              });
      harness.awaitHeld(1);
      harness.awaitState(pid, ProcessState.BLOCKED);

      harness.scheduler.terminate(pid, "operator");

      assertThat(harness.result(pid).error())
          .isInstanceOf(ProcessTerminatedException.class)
          .hasMessageContaining("operator");
      assertThat(context.get().isCancelled()).isTrue();
    }
  }

  @Test
  void terminate_anIdleProcess_endsIt() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid = harness.scheduler.spawn(new TestProcesses.Inbox());
      harness.awaitState(pid, ProcessState.IDLE);

      harness.scheduler.terminate(pid);

      assertThat(harness.result(pid).error()).isInstanceOf(ProcessTerminatedException.class);
    }
  }

  @Test
  void terminate_aSleepingProcess_endsItBeforeItsSleep() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid =
          harness.scheduler.spawn(
              new TestProcesses.YieldOnce(new Harness.Sleep(Duration.ofHours(1))));
      harness.awaitState(pid, ProcessState.BLOCKED);

      harness.scheduler.terminate(pid);

      assertThat(harness.result(pid).error()).isInstanceOf(ProcessTerminatedException.class);
    }
  }

  @Test
  void terminate_duringAStep_endsTheProcessAfterIt_andReleasesTheYieldsItWrote() throws Exception {
    try (Harness harness = new Harness(1)) {
      CountDownLatch inStep = new CountDownLatch(1);
      CountDownLatch terminated = new CountDownLatch(1);
      Harness.Counted written = new Harness.Counted(Harness.HOLD);
      Pid pid =
          harness.scheduler.spawn(
              (events, out) -> {
                out.yield(written);
                inStep.countDown();
                terminated.await();
              });
      assertThat(inStep.await(10, TimeUnit.SECONDS)).isTrue();

      harness.scheduler.terminate(pid, "mid-step");
      terminated.countDown();

      assertThat(harness.result(pid).error()).hasMessageContaining("mid-step");
      assertThat(harness.held).isEmpty();
      assertThat(written.releases).hasValue(1);
    }
  }

  @Test
  void theProcessContext_isCancelledWhenTheProcessCompletes() throws Exception {
    try (Harness harness = new Harness(1)) {
      AtomicReference<ProcessContext> context = new AtomicReference<>();
      Pid pid =
          harness.scheduler.spawn(
              new StepProcess() {
                @Override
                public void init(ProcessContext ctx, @Nullable Object input) {
                  context.set(ctx);
                }

                @Override
                public void step(List<Event> events, StepOutput out) {
                  out.done("ok");
                }
              });

      harness.result(pid);

      assertThat(context.get().isCancelled()).isTrue();
      assertThat(context.get().caller()).isEqualTo(pid);
    }
  }

  // ---- limits and shutdown ---------------------------------------------------------------------

  @Test
  void spawn_beyondMaxProcesses_isRefused_untilOneEnds() throws Exception {
    try (Harness harness = new Harness(1, builder -> builder.maxProcesses(2))) {
      Pid first = harness.scheduler.spawn(new TestProcesses.Inbox());
      harness.scheduler.spawn(new TestProcesses.Inbox());

      assertThatThrownBy(() -> harness.scheduler.spawn(new TestProcesses.Inbox()))
          .isInstanceOf(MaxProcessesExceededException.class)
          .hasMessageContaining("maximum of 2");
      harness.scheduler.send(first, "stop", null);
      harness.result(first);

      assertThat(harness.scheduler.spawn(new TestProcesses.Inbox())).isNotNull();
    }
  }

  @Test
  void shutdown_endsCooperativeProcessesByCancel_andTerminatesTheRestAfterTheDeadline()
      throws Exception {
    Harness harness = new Harness(2);
    Pid cooperative =
        harness.scheduler.spawn(
            (events, out) -> {
              if (events.stream()
                  .anyMatch(
                      e -> e instanceof Message m && m.topic().equals(Message.CANCEL_TOPIC))) {
                out.done("cancelled");
              } else {
                out.idle();
              }
            });
    Pid stubborn = harness.scheduler.spawn(new TestProcesses.Recorder());
    harness.awaitState(cooperative, ProcessState.IDLE);
    harness.awaitState(stubborn, ProcessState.IDLE);
    AtomicReference<ShutdownReport> report = new AtomicReference<>();

    Thread shutdown =
        Thread.ofPlatform()
            .start(() -> report.set(harness.scheduler.shutdown(Duration.ofSeconds(3))));
    assertThat(harness.result(cooperative).value()).isEqualTo("cancelled");
    assertThatThrownBy(() -> harness.scheduler.spawn(new TestProcesses.Inbox()))
        .isInstanceOf(SchedulerStoppedException.class);
    harness.advanceWhileAllWait(() -> !shutdown.isAlive(), "the shutdown");

    assertThat(harness.result(stubborn).error())
        .isInstanceOf(ProcessTerminatedException.class)
        .hasMessageContaining("scheduler shut down");
    assertThat(report.get()).isEqualTo(new ShutdownReport(1, 1, 0));
  }
}
