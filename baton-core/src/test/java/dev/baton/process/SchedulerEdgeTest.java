package dev.baton.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Edges found in review: each test would fail against the runtime before its fix. */
class SchedulerEdgeTest {

  @Test
  void anInitThrowingAnError_freesItsSlotAndName() throws Exception {
    try (Harness harness = new Harness(1, builder -> builder.maxProcesses(1))) {
      StepProcess broken = TestProcesses.failingInit(new NoSuchFieldError("not an Exception"));

      assertThatThrownBy(
              () -> harness.scheduler.spawn(broken, null, SpawnOptions.NONE.named("slot")))
          .isInstanceOf(SpawnFailedException.class);
      Pid next =
          harness.scheduler.spawn(TestProcesses.obedient(), null, SpawnOptions.NONE.named("slot"));

      assertThat(harness.scheduler.whereis("slot")).contains(next);
    }
  }

  @Test
  void anInitThatFails_hasItsContextCancelled_soWhatItRegisteredIsReleased() {
    try (Harness harness = new Harness(1)) {
      AtomicInteger released = new AtomicInteger();
      StepProcess failing =
          new StepProcess() {
            @Override
            public void init(ProcessContext context, @Nullable Object input) {
              context.onCancel(released::incrementAndGet);
              throw new IllegalStateException("no config");
            }

            @Override
            public void step(List<Event> events, StepOutput out) {}
          };

      assertThatThrownBy(() -> harness.scheduler.spawn(failing))
          .isInstanceOf(SpawnFailedException.class);
      assertThat(released).hasValue(1);
    }
  }

  @Test
  void aParentFailingWhileItsLinkedChildIsInInit_stillTakesTheChildDown() throws Exception {
    try (Harness harness = new Harness(2)) {
      Pid parent = harness.scheduler.spawn(TestProcesses.obedient());
      CountDownLatch inInit = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Pid> child = new CompletableFuture<>();
      Thread.ofPlatform()
          .start(
              () ->
                  child.complete(
                      harness.scheduler.spawn(
                          new StepProcess() {
                            @Override
                            public void init(ProcessContext context, @Nullable Object input)
                                throws InterruptedException {
                              inInit.countDown();
                              release.await();
                            }

                            @Override
                            public void step(List<Event> events, StepOutput out) {
                              out.idle();
                            }
                          },
                          null,
                          SpawnOptions.NONE.linkedTo(parent))));
      assertThat(inInit.await(10, TimeUnit.SECONDS)).isTrue();

      harness.scheduler.send(parent, "fail", null);
      harness.result(parent);
      release.countDown();

      assertThat(harness.result(child.get(10, TimeUnit.SECONDS)).error())
          .isInstanceOf(ProcessTerminatedException.class)
          .hasMessageContaining("linked process " + parent + " failed");
    }
  }

  @Test
  void aCoroutinesMailboxBound_countsMessagesItHasNotReceivedYet() throws Exception {
    try (Harness harness = new Harness(1, builder -> builder.mailboxCapacity(2))) {
      Pid pid =
          harness.scheduler.spawnCoroutine(
              (process, input) -> {
                process.receive("go");
                return process.receive().payload();
              });
      harness.awaitState(pid, ProcessState.IDLE);

      harness.scheduler.send(pid, "early", 1);
      harness.scheduler.send(pid, "early", 2);
      Harness.await(() -> harness.scheduler.stats().processes() == 1, "the process alive");
      assertThatThrownBy(() -> harness.scheduler.send(pid, "early", 3))
          .isInstanceOf(MailboxFullException.class);
      harness.scheduler.cancel(pid, "a notification is never refused");
    }
  }

  @Test
  void aStepOutputHandedToAnotherThread_refusesWrites() throws Exception {
    try (Harness harness = new Harness(1)) {
      CompletableFuture<Throwable> refused = new CompletableFuture<>();
      Pid pid =
          harness.scheduler.spawn(
              (events, out) -> {
                Thread other =
                    Thread.ofPlatform()
                        .start(
                            () -> {
                              try {
                                out.yield(new Harness.Echo("from elsewhere"));
                                refused.complete(new AssertionError("the write was accepted"));
                              } catch (IllegalStateException expected) {
                                refused.complete(expected);
                              }
                            });
                other.join();
                out.done("ok");
              });

      assertThat(harness.result(pid).value()).isEqualTo("ok");
      assertThat(refused.get(10, TimeUnit.SECONDS))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("on the step's thread");
      assertThat(harness.held).isEmpty();
    }
  }

  @Test
  void aSecondShutdown_waitsForTheFirst_andReturnsTheSameReport() throws Exception {
    Harness harness = new Harness(1);
    Pid stubborn = harness.scheduler.spawn(new TestProcesses.Recorder());
    harness.awaitState(stubborn, ProcessState.IDLE);
    CompletableFuture<ShutdownReport> first = new CompletableFuture<>();
    CompletableFuture<ShutdownReport> second = new CompletableFuture<>();

    Thread.ofPlatform()
        .start(() -> first.complete(harness.scheduler.shutdown(Duration.ofSeconds(2))));
    Harness.await(() -> harness.time.pendingTasks() == 1, "the first shutdown waiting");
    Thread.ofPlatform()
        .start(() -> second.complete(harness.scheduler.shutdown(Duration.ofSeconds(2))));
    harness.advanceWhileAllWait(() -> first.isDone() && second.isDone(), "both shutdowns");

    assertThat(first.get()).isEqualTo(new ShutdownReport(0, 1, 0));
    assertThat(second.get()).isSameAs(first.get());
    harness.result(stubborn);
  }

  @Test
  void reservedTopics_cannotBeSentByUsers() throws Exception {
    try (Harness harness = new Harness(1)) {
      Pid pid = harness.scheduler.spawn(TestProcesses.obedient());

      assertThatThrownBy(() -> harness.scheduler.send(pid, Message.EXIT_TOPIC, "forged"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reserved");
      harness.scheduler.send(pid, "stop", null);
      assertThat(harness.result(pid).value()).isEqualTo("ok");
    }
  }

  @Test
  void aSupervisedChildWhoseRestartFails_countsTowardGivingUp_ratherThanCrashingTheSupervisor()
      throws Exception {
    try (Harness harness = new Harness(2)) {
      AtomicInteger starts = new AtomicInteger();
      ChildSpec failingRestarts =
          ChildSpec.step(
              "fragile",
              () -> {
                if (starts.incrementAndGet() > 1) {
                  return TestProcesses.failingInit(new IllegalStateException("cannot start again"));
                }
                return TestProcesses.obedient();
              },
              ChildSpec.Restart.PERMANENT);
      Pid supervisor =
          Supervisor.start(
              harness.scheduler,
              "sup",
              new Supervisor.Policy(
                  2, Duration.ofMinutes(1), Duration.ofMillis(10), Duration.ofMillis(10)),
              List.of(failingRestarts));
      Harness.await(() -> harness.scheduler.whereis("fragile").isPresent(), "the child");
      Pid child = harness.scheduler.whereis("fragile").orElseThrow();

      harness.scheduler.send(child, "fail", null);
      Harness.await(
          () -> {
            harness.time.advance(Duration.ofMillis(10));
            return harness.hasEnded(supervisor);
          },
          "the supervisor giving up");

      assertThat(harness.result(supervisor).error())
          .isInstanceOf(SupervisorGaveUpException.class)
          .hasRootCauseMessage("cannot start again");
      assertThat(starts.get()).isGreaterThanOrEqualTo(3);
    }
  }
}
