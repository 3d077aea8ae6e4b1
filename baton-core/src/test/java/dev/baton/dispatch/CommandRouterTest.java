package dev.baton.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.boot.AppContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CommandRouterTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final Registry registry = new Registry();
  private final CommandRouter router = new CommandRouter(registry);
  private final RecordingReceiver receiver = new RecordingReceiver();
  private final CommandContext context =
      CommandContext.of("caller-1", AppContext.empty(), new CancellationSignal());

  private void register(CommandId id, Handler handler) {
    registry.reservations().reserve("test", id);
    registry.registrar("test").register(id, handler);
    registry.freeze();
  }

  @Test
  void route_handlerReceivesExactlyTheContextCommandTagAndReceiver() {
    AtomicReference<Object[]> seen = new AtomicReference<>();
    register(
        TestCommands.ECHO_ID,
        (ctx, command, tag, rx) -> seen.set(new Object[] {ctx, command, tag, rx}));
    TestCommands.Echo echo = new TestCommands.Echo("hi");

    router.route(context, echo, 41, receiver);

    assertThat(seen.get()).containsExactly(context, echo, 41L, receiver);
  }

  @Test
  void route_unknownId_completesTheTagWithUnknownCommandCarryingTheId() throws Exception {
    registry.freeze();

    router.route(context, new TestCommands.AnyId(CommandId.of(999)), 3, receiver);

    RecordingReceiver.Completion completion = receiver.next(WAIT);
    assertThat(completion.tag()).isEqualTo(3);
    assertThat(completion.result()).isNull();
    assertThat(completion.error())
        .isInstanceOfSatisfying(
            UnknownCommandException.class,
            e -> assertThat(e.commandId()).isEqualTo(CommandId.of(999)))
        .hasMessageContaining("command 999");
  }

  @Test
  void route_unknownStandardId_namesTheModuleThatIsNotLoaded() throws Exception {
    registry.freeze();

    router.route(context, new TestCommands.AnyId(CommandId.of(121)), 1, receiver);

    assertThat(receiver.next(WAIT).error()).hasMessageContaining("'store'");
  }

  @Test
  void route_handlerThrows_completesTheTagWithWhatItThrew() throws Exception {
    IllegalStateException failure = new IllegalStateException("handler failed");
    register(
        TestCommands.ECHO_ID,
        (ctx, command, tag, rx) -> {
          throw failure;
        });

    router.route(context, new TestCommands.Echo("x"), 9, receiver);

    RecordingReceiver.Completion completion = receiver.next(WAIT);
    assertThat(completion.tag()).isEqualTo(9);
    assertThat(completion.error()).isSameAs(failure);
  }

  @Test
  void route_handlerCompletingLaterOnAnotherThread_deliversTheResultUnderItsTag() throws Exception {
    register(
        TestCommands.ECHO_ID,
        Handler.forType(
            TestCommands.Echo.class,
            (ctx, echo, tag, rx) ->
                Thread.ofVirtual().start(() -> rx.completeYield(tag, echo.text() + "!", null))));

    router.route(context, new TestCommands.Echo("one"), 1, receiver);
    router.route(context, new TestCommands.Echo("two"), 2, receiver);

    RecordingReceiver.Completion first = receiver.next(WAIT);
    RecordingReceiver.Completion second = receiver.next(WAIT);
    assertThat(Map.of(first.tag(), first.result(), second.tag(), second.result()))
        .containsEntry(1L, "one!")
        .containsEntry(2L, "two!");
  }

  @Test
  void forType_commandOfAnotherClass_completesWithATypeMismatchNamingBothClasses()
      throws Exception {
    register(
        TestCommands.ECHO_ID,
        Handler.forType(
            TestCommands.Echo.class, (ctx, echo, tag, rx) -> rx.completeYield(tag, "ok", null)));

    router.route(context, new TestCommands.AnyId(TestCommands.ECHO_ID), 5, receiver);

    assertThat(receiver.next(WAIT).error())
        .isInstanceOf(CommandTypeMismatchException.class)
        .hasMessageContaining("Echo")
        .hasMessageContaining("AnyId");
  }

  @Test
  void route_idReservedByALoadedModuleWithoutAHandler_saysSo() throws Exception {
    registry.reservations().reserve("clock", CommandId.of(17));
    registry.freeze();

    router.route(context, new TestCommands.AnyId(CommandId.of(17)), 1, receiver);

    assertThat(receiver.next(WAIT).error())
        .hasMessageContaining("module 'clock' reserved it but registers no handler for it");
  }

  @Test
  void route_handlerThrowingInterrupted_completesTheTag_andKeepsTheInterruptFlag()
      throws Exception {
    register(
        TestCommands.ECHO_ID,
        (ctx, command, tag, rx) -> {
          throw new InterruptedException("stop");
        });

    router.route(context, new TestCommands.Echo("x"), 2, receiver);
    boolean interrupted = Thread.interrupted(); // clears the flag for the rest of the test

    assertThat(interrupted).isTrue();
    assertThat(receiver.next(WAIT).error()).isInstanceOf(InterruptedException.class);
  }

  @Test
  void route_receiverThatThrowsWhileTakingAFailure_doesNotEscapeTheRouter() {
    register(
        TestCommands.ECHO_ID,
        (ctx, command, tag, rx) -> {
          throw new IllegalStateException("handler failed");
        });
    ResultReceiver throwing =
        (tag, result, error) -> {
          throw new IllegalArgumentException("receiver failed");
        };

    router.route(context, new TestCommands.Echo("x"), 3, throwing);
    // reaching this line is the assertion: the router swallowed and logged the receiver's failure
    assertThat(registry.isFrozen()).isTrue();
  }

  @Test
  void route_handlerCanSeeCancellationOfTheCaller() throws Exception {
    CancellationSignal signal = new CancellationSignal();
    CommandContext cancellable = CommandContext.of("caller-2", AppContext.empty(), signal);
    register(
        TestCommands.ECHO_ID,
        (ctx, command, tag, rx) -> ctx.onCancel(() -> rx.completeYield(tag, "stopped", null)));

    router.route(cancellable, new TestCommands.Echo("x"), 4, receiver);
    assertThat(receiver.pending()).isZero();
    signal.cancel();

    assertThat(receiver.next(WAIT).result()).isEqualTo("stopped");
    assertThat(cancellable.isCancelled()).isTrue();
  }
}
