package dev.baton.contract;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.contract.Contracts.AsyncCall;
import dev.baton.contract.Contracts.AsyncCallId;
import dev.baton.contract.Contracts.AsyncCancel;
import dev.baton.contract.Contracts.Call;
import dev.baton.contract.Contracts.Close;
import dev.baton.contract.Contracts.ContractOutcome;
import dev.baton.contract.Contracts.InstanceId;
import dev.baton.contract.Contracts.Open;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.process.Event;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.process.ProcessResult;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import dev.baton.testing.TestNode.Started;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Local bindings (a shared object, and a factory per Open) from coroutine and step processes. */
class ContractLocalTest {

  private final Blocker blocker = new Blocker();
  private final TestImpls.Calc calc = new TestImpls.Calc(blocker);
  private final List<TestImpls.CountingInstance> made = new CopyOnWriteArrayList<>();
  private final ContractModule module = new ContractModule();
  private final TestNode node =
      TestNode.builder()
          .manualTime()
          .dispatcher(module)
          .component(
              Bindings.component(
                  Binding.shared("calc", Calculator.class, calc),
                  Binding.perInstance(
                      "counter",
                      Counter.class,
                      values -> {
                        if (values.containsKey("explode")) {
                          throw new IllegalArgumentException("cannot start: " + values);
                        }
                        if (values.containsKey("block")) {
                          blocker.run();
                        }
                        var instance =
                            new TestImpls.CountingInstance(
                                ((Number) values.getOrDefault("start", 0L)).longValue(), blocker);
                        made.add(instance);
                        return instance;
                      })))
          .build();

  @AfterEach
  void close() {
    blocker.release.countDown();
    node.close();
  }

  @Test
  void eachOpenOfAPerInstanceBinding_hasItsOwnState() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              InstanceId a = process.call(new Open("counter", Map.of("start", 100L)));
              InstanceId b = process.call(Open.of("counter"));
              process.call(Call.of(a, "add", 5L));
              process.call(Call.of(b, "add", 1L));
              long fromA = process.call(Call.returning(long.class, a, "total"));
              long fromB = process.call(Call.returning(Long.class, b, "Counter.total"));
              return List.of(fromA, fromB);
            },
            null);

    assertThat(result.error()).isNull();
    assertThat(result.value()).isEqualTo(List.of(105L, 1L));
    assertThat(made).hasSize(2);
  }

  @Test
  void aStepProcess_opensAndCalls_throughCompletions() {
    ProcessResult result =
        node.runStep(
            new Steps(
                0,
                List.of(
                    previous -> new Open("counter", Map.of("start", 7L)),
                    instance -> Call.of((InstanceId) requireNonNull(instance), "add", 3L))),
            null);

    List<?> seen = (List<?>) requireNonNull(result.value());
    assertThat(seen).hasSize(2);
    Event.Completion call = (Event.Completion) seen.get(1);
    assertThat(call.error()).isNull();
    assertThat(call.result()).isEqualTo(10L);
  }

  @Test
  void aSharedBinding_callsItsObject_byJavaNameTaskNameAndOverloadTaskNames() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              InstanceId calcId = process.call(Open.of("calc"));
              int added = process.call(Call.returning(int.class, calcId, "add", 40, 2));
              Object byTaskName = process.call(Call.of(calcId, "Calculator.add", 1, 1));
              Object two = process.call(Call.of(calcId, "Calculator.sum2", 1L, 2L));
              Object three = process.call(Call.of(calcId, "Calculator.sum3", 1L, 2L, 3));
              Object nothing = process.call(Call.of(calcId, "note", "hello"));
              Object later = process.call(Call.of(calcId, "later", "on"));
              return java.util.Arrays.asList(added, byTaskName, two, three, nothing, later);
            },
            null);

    assertThat(result.error()).isNull();
    assertThat(result.value()).isEqualTo(java.util.Arrays.asList(42, 2, 3L, 6L, null, "later on"));
    assertThat(calc.notes).containsExactly("hello");
  }

  @Test
  void anImplementationThatThrows_failsTheCall_withItsExceptionAsCause() {
    InstanceId id = open("calc");
    // Instances belong to their process: open and call in one coroutine.
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> process.call(Call.of(process.call(Open.of("calc")), "fail", "x")),
            null);

    assertThat(id.value()).isPositive();
    assertThat(result.error())
        .isInstanceOfSatisfying(
            ContractCallFailedException.class,
            e -> {
              assertThat(e.bindingId()).isEqualTo("calc");
              assertThat(e.method()).isEqualTo("fail");
              assertThat(e.getCause())
                  .isInstanceOf(IllegalStateException.class)
                  .hasMessage("kaput: x");
            });
  }

  @Test
  void anUnknownMethod_failsWithMethodNotFound_namingTheInterfaceAndCandidates() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> process.call(Call.of(process.call(Open.of("calc")), "divide", 1)),
            null);

    assertThat(result.error())
        .isInstanceOfSatisfying(
            MethodNotFoundException.class,
            e -> {
              assertThat(e.contract()).isEqualTo(Calculator.class.getName());
              assertThat(e.method()).isEqualTo("divide");
              assertThat(e.candidates())
                  .contains("add", "Calculator.add", "Calculator.sum2", "Calculator.sum3")
                  .doesNotContain("sum");
              assertThat(e).hasMessageContaining("Calculator").hasMessageContaining("divide");
            });
  }

  @Test
  void anOverloadByItsJavaName_isAmbiguous_andSaysToUseTheTaskName() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> process.call(Call.of(process.call(Open.of("calc")), "sum", 1L, 2L)),
            null);

    assertThat(result.error())
        .isInstanceOf(MethodNotFoundException.class)
        .hasMessageContaining("overloaded")
        .hasMessageContaining("@TaskName");
  }

  @Test
  void badArguments_failWithContractArgumentException_beforeAnythingRuns() {
    assertThat(callError("add", 1)).hasMessageContaining("takes 2 argument(s), got 1");
    assertThat(callError("add", 1, "two"))
        .hasMessageContaining("argument 1 is a java.lang.String")
        .hasMessageContaining("int");
    assertThat(callError("add", 1, null)).hasMessageContaining("argument 1 is null");
    assertThat(callError("note", 5)).hasMessageContaining("argument 0 is a java.lang.Integer");
    // widening, as reflection widens: an Integer for a long parameter is fine
    ProcessResult widened =
        node.runCoroutine(
            (process, input) ->
                process.call(Call.of(process.call(Open.of("calc")), "Calculator.sum2", 1, 2)),
            null);
    assertThat(widened.value()).isEqualTo(3L);
    assertThat(calc.notes).isEmpty();
  }

  @Test
  void aVarargsParameter_takesOneArrayArgument_andRefusesSpreadValues() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              InstanceId id = process.call(Open.of("counter"));
              long max =
                  process.call(
                      Call.returning(long.class, id, "max", (Object) new long[] {3, 9, 4}));
              try {
                process.call(Call.of(id, "max", 3L, 9L));
                return "spread values were accepted";
              } catch (ContractArgumentException expected) {
                return List.of(max, requireNonNull(expected.getMessage()));
              }
            },
            null);

    assertThat(result.error()).isNull();
    List<?> seen = (List<?>) requireNonNull(result.value());
    assertThat(seen.get(0)).isEqualTo(9L);
    assertThat((String) seen.get(1)).contains("takes 1 argument(s), got 2");
  }

  @Test
  void anExpectedReturnTypeThatCannotHoldTheMethods_failsWithContractArgumentException() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) ->
                process.call(
                    Call.returning(String.class, process.call(Open.of("calc")), "add", 1, 2)),
            null);

    assertThat(result.error())
        .isInstanceOf(ContractArgumentException.class)
        .hasMessageContaining("java.lang.String cannot hold");
  }

  @Test
  void anUnknownBinding_failsWithBindingNotFound_listingTheKnownOnes() {
    assertThatThrownBy(() -> node.callInCoroutine(Open.of("nope")))
        .isInstanceOfSatisfying(
            BindingNotFoundException.class,
            e -> {
              assertThat(e.bindingId()).isEqualTo("nope");
              assertThat(e.known()).containsExactly("calc", "counter");
            });
    assertThat(node.yieldFromStep(Open.of("nope")).error())
        .isInstanceOf(BindingNotFoundException.class);
  }

  @Test
  void aFactoryThatThrows_failsOpen_withItsExceptionAsCause() {
    assertThatThrownBy(() -> node.callInCoroutine(new Open("counter", Map.of("explode", true))))
        .isInstanceOf(ContractCallFailedException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasRootCauseMessage("cannot start: {explode=true}");
    assertThat(module.openInstances()).isZero();
  }

  @Test
  void anOpenWhoseDeadlinePasses_interruptsABlockedFactory_andTheProcessGoesOn() {
    Started started =
        node.startCoroutine(
            (process, input) -> {
              try {
                process.call(new Open("counter", Map.of("block", true)), Duration.ofSeconds(1));
                return "the blocked factory completed";
              } catch (YieldTimeoutException expected) {
                return process.call(Call.of(process.call(Open.of("counter")), "add", 4L));
              }
            },
            null);
    blocker.awaitStarted();
    passTheDeadline(started.pid());

    assertThat(started.await().value()).isEqualTo(4L);
    blocker.awaitInterrupted();
    assertThat(made).hasSize(1);
  }

  @Test
  void closingAnotherProcesssInstance_isHandleNotFound_andLeavesItOpen() {
    CompletableFuture<InstanceId> opened = new CompletableFuture<>();
    Started owner =
        node.startCoroutine(
            (process, input) -> {
              opened.complete(process.call(Open.of("counter")));
              return process.receive("stop").topic();
            },
            null);
    InstanceId theirs = opened.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();

    assertThatThrownBy(() -> node.callInCoroutine(new Close(theirs)))
        .isInstanceOf(HandleNotFoundException.class);
    assertThat(made.getFirst().closed.get()).isFalse();
    assertThat(module.openInstances()).isEqualTo(1);

    node.scheduler().send(owner.pid(), "stop", null);
    owner.await();
    TestNode.awaitCondition("the owner's end to close it", () -> made.getFirst().closed.get());
  }

  @Test
  void valuesForASharedBinding_areRefused() {
    assertThatThrownBy(() -> node.callInCoroutine(new Open("calc", Map.of("start", 1))))
        .isInstanceOf(ContractArgumentException.class)
        .hasMessageContaining("shared");
  }

  @Test
  void anotherProcesssInstance_isHandleNotFound() {
    InstanceId theirs = open("counter");

    assertThatThrownBy(() -> node.callInCoroutine(Call.of(theirs, "total")))
        .isInstanceOfSatisfying(
            HandleNotFoundException.class,
            e -> assertThat(e.kind()).isEqualTo("contract instance"));
    assertThat(node.yieldFromStep(Call.of(theirs, "total")).error())
        .isInstanceOf(HandleNotFoundException.class);
  }

  @Test
  void theOwnersEnd_closesItsInstances_andClose_closesOneAtOnce() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              InstanceId kept = process.call(Open.of("counter"));
              InstanceId closed = process.call(Open.of("counter"));
              boolean closedNow = process.call(new Close(closed));
              return List.of(kept, closedNow, made.get(1).closed.get(), made.get(0).closed.get());
            },
            null);

    List<?> seen = (List<?>) requireNonNull(result.value());
    assertThat(seen.subList(1, 4)).isEqualTo(List.of(true, true, false));
    TestNode.awaitCondition("the owner's instance to close", () -> made.get(0).closed.get());
    assertThat(module.openInstances()).isZero();
  }

  @Test
  void asyncCall_completesAtOnce_thenOneMessageCarriesTheValue() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              InstanceId calcId = process.call(Open.of("calc"));
              AsyncCallId id = process.call(AsyncCall.of("sums", calcId, "add", 20, 22));
              Message message = process.receive("sums");
              return List.of(id, requireNonNull(message.payload()));
            },
            null);

    List<?> seen = (List<?>) requireNonNull(result.value());
    ContractOutcome outcome = (ContractOutcome) seen.get(1);
    assertThat(outcome.id()).isEqualTo(seen.get(0));
    assertThat(outcome.succeeded()).isTrue();
    assertThat(outcome.value()).isEqualTo(42);
    assertThat(module.runningAsyncCalls()).isZero();
  }

  @Test
  void asyncCall_ofAFailingMethod_sendsTheErrorInTheMessage_fromAStepProcess() {
    ProcessResult result =
        node.runStep(
            new Steps(
                1,
                List.of(
                    previous -> Open.of("calc"),
                    instance ->
                        AsyncCall.of("out", (InstanceId) requireNonNull(instance), "fail", "y"))),
            null);

    List<?> seen = (List<?>) requireNonNull(result.value());
    assertThat(seen).hasSize(3);
    Message message = (Message) seen.get(2);
    ContractOutcome outcome = (ContractOutcome) requireNonNull(message.payload());
    assertThat(outcome.id()).isEqualTo(((Event.Completion) seen.get(1)).result());
    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.error())
        .isInstanceOf(ContractCallFailedException.class)
        .hasRootCauseMessage("kaput: y");
  }

  @Test
  void asyncCancel_interruptsABlockedMethod_andNoMessageFollows() {
    CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
    Started started =
        node.startCoroutine(
            (process, input) -> {
              InstanceId calcId = process.call(Open.of("calc"));
              AsyncCallId id = process.call(AsyncCall.of("out", calcId, "block"));
              blocker.awaitStarted();
              cancelled.complete(process.call(new AsyncCancel(id)));
              // the next message is the test's marker, not an outcome
              return process.receive().topic();
            },
            null);
    Pid pid = started.pid();

    blocker.awaitInterrupted();
    TestNode.awaitCondition("the cancel to complete", cancelled::isDone);
    assertThat(cancelled.join()).isTrue();
    // The method's thread has finished, outcome and all: a message it sent would precede this.
    TestNode.awaitCondition("the call's thread to end", () -> module.runningLocalCalls() == 0);
    node.scheduler().send(pid, "marker", null);

    assertThat(started.await().value()).isEqualTo("marker");
    assertThat(module.runningAsyncCalls()).isZero();
    assertThat(module.droppedOutcomes()).isZero();
  }

  @Test
  void asyncCancel_ofAnUnknownId_isHandleNotFound_andAfterTheOutcomeReturnsFalse() {
    assertThatThrownBy(() -> node.callInCoroutine(new AsyncCancel(new AsyncCallId(999))))
        .isInstanceOfSatisfying(
            HandleNotFoundException.class, e -> assertThat(e.kind()).isEqualTo("contract call"));
    ProcessResult late =
        node.runCoroutine(
            (process, input) -> {
              AsyncCallId id =
                  process.call(AsyncCall.of("out", process.call(Open.of("calc")), "add", 1, 1));
              process.receive("out");
              return process.call(new AsyncCancel(id));
            },
            null);
    assertThat(late.value()).isEqualTo(false);
  }

  @Test
  void aCallWhoseDeadlinePasses_interruptsTheMethod_andTheProcessGoesOn() {
    Started started =
        node.startCoroutine(
            (process, input) -> {
              InstanceId counter = process.call(Open.of("counter"));
              try {
                process.call(Call.of(counter, "block"), Duration.ofSeconds(1));
                return "the blocked call completed";
              } catch (YieldTimeoutException expected) {
                return process.call(Call.of(counter, "add", 2L));
              }
            },
            null);
    blocker.awaitStarted();
    passTheDeadline(started.pid());

    assertThat(started.await().value()).isEqualTo(2L);
    blocker.awaitInterrupted();
  }

  /** Moves the manual clock past a one-second yield deadline once the process waits on it. */
  private void passTheDeadline(Pid pid) {
    node.awaitWaiting(pid);
    TestNode.awaitCondition(
        "the deadline to be scheduled", () -> node.manualTime().pendingTasks() > 0);
    node.manualTime().advance(Duration.ofSeconds(1));
  }

  @Test
  void theOwnersEnd_interruptsItsRunningCalls() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              process.call(AsyncCall.of("out", process.call(Open.of("counter")), "block"));
              blocker.awaitStarted();
              return "leaving";
            },
            null);

    assertThat(result.value()).isEqualTo("leaving");
    blocker.awaitInterrupted();
    TestNode.awaitCondition("the call to be released", () -> module.runningAsyncCalls() == 0);
    TestNode.awaitCondition("the instance to close", () -> made.getFirst().closed.get());
    assertThat(module.droppedOutcomes()).isZero();
  }

  @Test
  void theModulesStop_cancelsAsyncCallsWithoutAMessage_andClosesInstancesAfterTheirCalls()
      throws InterruptedException {
    Started started =
        node.startCoroutine(
            (process, input) -> {
              process.call(AsyncCall.of("out", process.call(Open.of("counter")), "block"));
              return process.receive().topic();
            },
            null);
    blocker.awaitStarted();
    // The call is registered (the stop can find it) and the process waits in receive().
    TestNode.awaitCondition("the call to be registered", () -> module.runningAsyncCalls() == 1);
    node.awaitWaiting(started.pid());

    module.stop();

    blocker.awaitInterrupted();
    TestNode.awaitCondition("the call's thread to end", () -> module.runningLocalCalls() == 0);
    assertThat(module.runningAsyncCalls()).isZero();
    assertThat(module.openInstances()).isZero();
    assertThat(made.getFirst().closed.get()).isTrue();
    assertThat(made.getFirst().closedDuringCall.get()).isFalse();
    assertThat(topicReceivedAfterAMarker(node, started))
        .as("the topic the process received after the stop")
        .isEqualTo("marker");
  }

  /**
   * The module stops while an AsyncCall is starting: after its method's job was handed to the
   * executor and before the call is added to the process's table. The stop's cancel of every async
   * call cannot find it, so the handler must cancel it itself: the method is interrupted (the stop
   * ends within its grace, not after it), and no outcome message is sent.
   */
  @Test
  void theModulesStop_whileAnAsyncCallStarts_cancelsItWithoutAMessage() throws Exception {
    StopWhileStarting executor = new StopWhileStarting();
    ContractModule stopping = new ContractModule(executor);
    executor.module = stopping;
    Blocker itsBlocker = new Blocker();
    List<TestImpls.CountingInstance> itsInstances = new CopyOnWriteArrayList<>();
    try (TestNode other =
        TestNode.builder()
            .manualTime()
            .dispatcher(stopping)
            .component(
                Bindings.component(
                    Binding.perInstance(
                        "counter",
                        Counter.class,
                        values -> {
                          var instance = new TestImpls.CountingInstance(0L, itsBlocker);
                          itsInstances.add(instance);
                          return instance;
                        })))
            .build()) {
      Started started =
          other.startCoroutine(
              (process, input) -> {
                InstanceId id = process.call(Open.of("counter"));
                executor.armed.set(true);
                process.call(AsyncCall.of("out", id, "block"));
                return process.receive().topic();
              },
              null);

      executor.stopped.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS);
      TestNode.awaitCondition("the call's thread to end", () -> stopping.runningLocalCalls() == 0);

      assertThat(topicReceivedAfterAMarker(other, started))
          .as("the topic the process received after the stop")
          .isEqualTo("marker");
      assertThat(executor.terminatedInGrace)
          .as("the stop's executor ended within its grace (the starting call was stopped)")
          .isTrue();
      assertThat(stopping.runningAsyncCalls()).isZero();
      assertThat(stopping.openInstances()).isZero();
      TestNode.awaitCondition("the instance to close", () -> itsInstances.getFirst().closed.get());
      assertThat(itsInstances.getFirst().closedDuringCall.get()).isFalse();
    } finally {
      itsBlocker.release.countDown();
    }
  }

  /**
   * The module stops while a factory runs for an Open: the instance it makes is added after the
   * stop closed every instance, so the Open closes it itself and fails, rather than leaving an
   * instance that nothing will ever close.
   */
  @Test
  void theModulesStop_whileAnOpenRunsItsFactory_closesTheNewInstanceAndFailsTheOpen()
      throws Exception {
    StopWhileStarting executor = new StopWhileStarting();
    ContractModule stopping = new ContractModule(executor);
    executor.module = stopping;
    List<TestImpls.CountingInstance> itsInstances = new CopyOnWriteArrayList<>();
    try (TestNode other =
        TestNode.builder()
            .manualTime()
            .dispatcher(stopping)
            .component(
                Bindings.component(
                    Binding.perInstance(
                        "counter",
                        Counter.class,
                        values -> {
                          // Made only once the stop has closed the instances it knows.
                          executor.awaitShutdown();
                          var instance = new TestImpls.CountingInstance(0L, blocker);
                          itsInstances.add(instance);
                          return instance;
                        })))
            .build()) {
      executor.armed.set(true);

      ProcessResult result =
          other.runCoroutine((process, input) -> process.call(Open.of("counter")), null);
      executor.stopped.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS);

      assertThat(result.error())
          .as("the Open's outcome (value %s)", result.value())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("stopped");
      assertThat(stopping.openInstances()).isZero();
      TestNode.awaitCondition("the instance to close", () -> itsInstances.getFirst().closed.get());
    }
  }

  /**
   * Sends "marker" to the process, which returns the topic of the first message it receives; if it
   * already ended (it received another message), returns what it received.
   */
  private static @Nullable Object topicReceivedAfterAMarker(TestNode on, Started started) {
    try {
      on.scheduler().send(started.pid(), "marker", null);
    } catch (ProcessNotFoundException alreadyEnded) {
      // Its result names the message it received instead.
    }
    ProcessResult result = started.await();
    return result.error() != null ? result.error() : result.value();
  }

  /**
   * Runs jobs on virtual threads; once {@code armed}, the next job it is given also starts the
   * module's stop on another thread and returns only once the stop has cleared the module's tables
   * (it shuts the executor down right after), so the stop falls between a call's start and its
   * registration.
   */
  private static final class StopWhileStarting extends AbstractExecutorService {
    private final ExecutorService delegate = Executors.newVirtualThreadPerTaskExecutor();
    final AtomicBoolean armed = new AtomicBoolean();
    final CompletableFuture<@Nullable Void> stopped = new CompletableFuture<>();
    private final CountDownLatch shutdownCalled = new CountDownLatch(1);
    volatile @Nullable ContractModule module;
    volatile @Nullable Boolean terminatedInGrace;

    @Override
    public void execute(Runnable job) {
      delegate.execute(job);
      if (!armed.compareAndSet(true, false)) {
        return;
      }
      ContractModule toStop = requireNonNull(module, "module");
      var _ =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      toStop.stop();
                      stopped.complete(null);
                    } catch (InterruptedException | RuntimeException e) {
                      stopped.completeExceptionally(e);
                    }
                  });
      awaitShutdown();
    }

    /** Waits until the module's stop has shut this executor down. */
    void awaitShutdown() {
      try {
        if (!shutdownCalled.await(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS)) {
          throw new IllegalStateException("the stop did not shut the executor down");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void shutdown() {
      shutdownCalled.countDown();
      delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdownCalled.countDown();
      return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      boolean terminated = delegate.awaitTermination(timeout, unit);
      terminatedInGrace = terminated;
      return terminated;
    }
  }

  @Test
  void aTerminatedCallersBlockedCall_isInterrupted() {
    Started started =
        node.startCoroutine(
            (process, input) -> process.call(Call.of(process.call(Open.of("counter")), "block")),
            null);
    Pid pid = started.pid();
    blocker.awaitStarted();

    node.scheduler().terminate(pid, "test");

    blocker.awaitInterrupted();
    assertThat(started.await().error()).isNotNull();
  }

  @Test
  void close_waitsForTheCallRunningOnTheInstance_thenClosesIt() {
    Started started =
        node.startCoroutine(
            (process, input) -> {
              InstanceId id = process.call(Open.of("counter"));
              process.call(AsyncCall.of("out", id, "block"));
              blocker.awaitStarted();
              boolean closed = process.call(new Close(id));
              return List.of(closed, blocker.finished.getCount() == 0);
            },
            null);
    blocker.awaitStarted();
    TestNode.awaitCondition("the Close to take the instance", () -> module.openInstances() == 0);
    TestNode.awaitCondition(
        "the Close to be running or done",
        () -> made.getFirst().closed.get() || started.exit().isDone() || isBlocked(started));

    assertThat(made.getFirst().closed.get()).as("closed while its call runs").isFalse();
    blocker.release.countDown();

    ProcessResult result = started.await();
    assertThat(result.value()).isEqualTo(List.of(true, true));
    assertThat(made.getFirst().closed.get()).isTrue();
    assertThat(made.getFirst().closedDuringCall.get()).isFalse();
  }

  @Test
  void theOwnersEnd_closesTheInstance_onlyAfterAMethodIgnoringTheInterruptReturns() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              process.call(AsyncCall.of("out", process.call(Open.of("counter")), "stubborn"));
              blocker.awaitStarted();
              return "leaving";
            },
            null);
    assertThat(result.value()).isEqualTo("leaving");
    blocker.awaitInterrupted();
    TestNode.awaitCondition("the instance to leave its table", () -> module.openInstances() == 0);

    assertThat(made.getFirst().closed.get()).as("closed while the method runs").isFalse();
    blocker.release.countDown();

    TestNode.awaitCondition("the instance to close", () -> made.getFirst().closed.get());
    assertThat(made.getFirst().closedDuringCall.get()).isFalse();
    assertThat(module.droppedOutcomes()).isZero();
  }

  @Test
  void aFutureThatIgnoresCancellation_doesNotKeepTheInstanceOpen_afterItsOwnerEnds() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              process.call(AsyncCall.of("out", process.call(Open.of("counter")), "never"));
              return "leaving";
            },
            null);

    assertThat(result.value()).isEqualTo("leaving");
    TestNode.awaitCondition("the instance to close", () -> made.getFirst().closed.get());
    TestNode.awaitCondition("the call to end", () -> module.runningLocalCalls() == 0);
    assertThat(module.runningAsyncCalls()).isZero();
  }

  @Test
  void asyncCancel_trueMeansNoMessage_falseMeansExactlyOne_underRacingOutcomes() {
    int rounds = 300;
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              InstanceId calcId = process.call(Open.of("calc"));
              Map<AsyncCallId, Boolean> cancelled = new java.util.HashMap<>();
              Map<AsyncCallId, Integer> messages = new java.util.HashMap<>();
              for (int i = 0; i < rounds; i++) {
                AsyncCallId id = process.call(AsyncCall.of("out", calcId, "add", i, 1));
                cancelled.put(id, process.call(new AsyncCancel(id)));
                TestNode.awaitCondition("the call's thread", () -> module.runningLocalCalls() == 0);
                node.scheduler().send(process.pid(), "marker", i);
                drainUntil(process, "marker", messages);
              }
              node.scheduler().send(process.pid(), "end", null);
              drainUntil(process, "end", messages);
              List<String> wrong = new java.util.ArrayList<>();
              cancelled.forEach(
                  (id, wasCancelled) -> {
                    int count = messages.getOrDefault(id, 0);
                    if (count != (wasCancelled ? 0 : 1)) {
                      wrong.add(id + " cancel=" + wasCancelled + " messages=" + count);
                    }
                  });
              return wrong;
            },
            null);

    assertThat(result.error()).isNull();
    assertThat((List<?>) result.value()).isEmpty();
    assertThat(module.runningAsyncCalls()).isZero();
  }

  private static void drainUntil(
      dev.baton.process.CoroutineScope process, String topic, Map<AsyncCallId, Integer> messages) {
    while (true) {
      Message message = process.receive();
      if (message.topic().equals(topic)) {
        return;
      }
      ContractOutcome outcome = (ContractOutcome) requireNonNull(message.payload());
      messages.merge(outcome.id(), 1, Integer::sum);
    }
  }

  private boolean isBlocked(Started started) {
    return node.stateOf(started.pid()) == dev.baton.process.ProcessState.BLOCKED;
  }

  @Test
  void anInterfaceWithUnnamedOverloads_isRefusedWhenBound() {
    @SuppressWarnings("UnusedMethod") // read by reflection
    interface Clash {
      int f(int a);

      int f(int a, int b);
    }
    assertThatThrownBy(() -> Binding.remote("clash", Clash.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overloads 'f'")
        .hasMessageContaining("@TaskName");
    assertThatThrownBy(
            () ->
                Binding.shared("calc", Calculator.class, calc)
                    .withOptions(dev.baton.tasks.TaskOptions.builder().build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("local");
  }

  private InstanceId open(String binding) {
    return node.callInCoroutine(Open.of(binding));
  }

  private Throwable callError(String method, @Nullable Object... arguments) {
    ProcessResult result =
        node.runCoroutine(
            (process, input) ->
                process.call(Call.of(process.call(Open.of("calc")), method, arguments)),
            null);
    assertThat(result.error()).isInstanceOf(ContractArgumentException.class);
    return requireNonNull(result.error());
  }
}
