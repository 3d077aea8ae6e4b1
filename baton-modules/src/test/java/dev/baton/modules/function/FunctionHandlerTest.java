package dev.baton.modules.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registry;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.NotAProcessException;
import dev.baton.modules.function.Functions.AsyncStart;
import dev.baton.modules.function.Functions.Call;
import dev.baton.testing.TestNode;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The handlers seen from outside a process, where a test controls the caller's cancellation and
 * sees every completion.
 */
class FunctionHandlerTest {

  private final FunctionFixture fixture = new FunctionFixture();
  private final Registry registry = fixture.node.services().require(Registry.KEY);
  private final List<Object> completions = new CopyOnWriteArrayList<>();
  private final ResultReceiver receiver =
      (tag, result, error) -> completions.add(error != null ? error : Objects.toString(result));

  @AfterEach
  void close() {
    fixture.close();
  }

  private Handler handler(dev.baton.dispatch.CommandId id) {
    return Objects.requireNonNull(registry.handler(id), "handler");
  }

  @Test
  void call_whoseCallerGoesAway_isRevoked_andCompletesOnceWithCancellation() throws Exception {
    CancellationSignal cancellation = new CancellationSignal();
    CommandContext context = CommandContext.of("test", fixture.node.services(), cancellation);
    handler(Functions.CALL).handle(context, Call.of("block"), 1, receiver);
    fixture.blocker.awaitStarted();

    cancellation.cancel();

    fixture.blocker.awaitInterrupted();
    // The revoked result's own failure arrives after the cancellation's completion: one only.
    TestNode.awaitCondition("the completion", () -> !completions.isEmpty());
    assertThat(completions)
        .singleElement()
        .isInstanceOfSatisfying(
            CancellationException.class,
            e -> assertThat(e).hasMessageContaining("the call of task block was revoked"));
  }

  @Test
  void call_fromACallerThatIsNotAProcess_stillWorks() throws Exception {
    CommandContext context =
        CommandContext.of("test", fixture.node.services(), new CancellationSignal());

    handler(Functions.CALL).handle(context, Call.of("add", 1, 2), 7, receiver);

    TestNode.awaitCondition("the completion", () -> !completions.isEmpty());
    assertThat(completions).containsExactly("3");
  }

  @Test
  void asyncStart_fromACallerThatIsNotAProcess_failsWithNotAProcess() {
    CommandContext context =
        CommandContext.of("test", fixture.node.services(), new CancellationSignal());

    assertThatThrownBy(
            () ->
                handler(Functions.ASYNC_START)
                    .handle(context, AsyncStart.of("out", "add", 1, 2), 1, receiver))
        .isInstanceOf(NotAProcessException.class)
        .hasMessageContaining("function.AsyncStart");
    assertThat(fixture.module.runningAsyncCalls()).isZero();
  }
}
