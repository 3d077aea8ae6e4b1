package dev.baton.modules.function;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.modules.function.Functions.AsyncCallId;
import dev.baton.modules.function.Functions.AsyncStart;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.process.ProcessResult;
import dev.baton.tasks.TaskApp;
import dev.baton.testing.TestNode;
import dev.baton.testing.TestNode.Started;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The module's stop against {@link AsyncStart} calls. */
class FunctionStopTest {

  private final FunctionFixture.Blocker blocker = new FunctionFixture.Blocker();
  private final TaskApp app = TaskApp.local();

  /** Once armed, the next AsyncStart handler stops the module after its task started running. */
  private final AtomicBoolean armed = new AtomicBoolean();

  private final AtomicReference<@Nullable FunctionModule> toStop = new AtomicReference<>();
  private final FunctionModule module =
      new FunctionModule(
          () -> {
            if (armed.compareAndSet(true, false)) {
              blocker.awaitStarted();
              requireNonNull(toStop.get(), "module").stop();
            }
          });
  private final TestNode node;

  FunctionStopTest() {
    toStop.set(module);
    FunctionFixture.registerTasks(app, blocker);
    node = FunctionFixture.nodeOver(app, module);
  }

  @AfterEach
  void close() {
    blocker.release.countDown();
    node.close();
    app.close();
  }

  @Test
  void theModulesStop_revokesARunningAsyncCall_andNoOutcomeArrives() {
    Started started =
        node.startCoroutine(
            (process, input) -> {
              process.call(AsyncStart.of("out", "block"));
              return process.receive().topic();
            },
            null);
    blocker.awaitStarted();
    TestNode.awaitCondition("the call to be registered", () -> module.runningAsyncCalls() == 1);

    module.stop();

    blocker.awaitInterrupted();
    TestNode.awaitCondition("the outcome to be settled", () -> module.settledOutcomes() == 1);
    assertThat(topicReceivedAfterAMarker(started))
        .as("the topic the process received after the stop")
        .isEqualTo("marker");
    assertThat(module.runningAsyncCalls()).isZero();
  }

  /**
   * The module stops while an AsyncStart is starting: after its task started running and before the
   * call is added to the process's table, so the stop's revocation of every async call cannot find
   * it. The handler must revoke it itself: the task is interrupted and no outcome message is sent,
   * even once the task is let go.
   */
  @Test
  void theModulesStop_whileAnAsyncCallStarts_revokesItWithoutAMessage() {
    CompletableFuture<AsyncCallId> returned = new CompletableFuture<>();
    armed.set(true);
    Started started =
        node.startCoroutine(
            (process, input) -> {
              returned.complete(process.call(AsyncStart.of("out", "block")));
              return process.receive().topic();
            },
            null);
    TestNode.awaitCondition("the AsyncStart to return", returned::isDone);
    assertThat(armed).as("the stop ran in the handler").isFalse();

    // The stop missed the call if it is still listed as running; then, let the task go, so that
    // the outcome of a call left running would be sent and received before the marker.
    TestNode.awaitCondition(
        "the task to be interrupted, or the call to run on",
        () -> blocker.interrupted.getCount() == 0 || module.runningAsyncCalls() > 0);
    boolean interrupted = blocker.interrupted.getCount() == 0;
    blocker.release.countDown();
    TestNode.awaitCondition("the outcome to be settled", () -> module.settledOutcomes() == 1);

    assertThat(topicReceivedAfterAMarker(started))
        .as("the topic the process received after the stop")
        .isEqualTo("marker");
    assertThat(interrupted).as("the starting call's task was interrupted").isTrue();
    assertThat(module.runningAsyncCalls()).isZero();
    assertThat(module.droppedOutcomes()).isZero();
  }

  /**
   * Sends "marker" to the process, which returns the topic of the first message it receives; if it
   * already ended (it received another message), returns what it received.
   */
  private @Nullable Object topicReceivedAfterAMarker(Started started) {
    try {
      node.scheduler().send(started.pid(), "marker", null);
    } catch (ProcessNotFoundException alreadyEnded) {
      // Its result names the message it received instead.
    }
    ProcessResult result = started.await();
    return result.error() != null ? result.error() : result.value();
  }
}
