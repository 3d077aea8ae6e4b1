package dev.baton.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.CommandId;
import dev.baton.eval.ScriptLimitExceededException.Limit;
import dev.baton.modules.clock.Clock;
import dev.baton.modules.clock.ClockModule;
import dev.baton.modules.event.EventBus;
import dev.baton.modules.event.EventModule;
import dev.baton.modules.event.Events;
import dev.baton.modules.store.KeyNotFoundException;
import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreModule;
import dev.baton.modules.store.Stores;
import dev.baton.process.Event;
import dev.baton.process.ExitSignal;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessResult;
import dev.baton.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Script processes (CreateProcess) yielding store commands on a node with the in-memory store. */
class ScriptProcessTest {

  private static final Set<CommandId> STORE = Set.of(Store.GET, Store.SET);

  private final EvalModule eval =
      EvalModule.builder()
          .threads(2)
          .command(
              Store.DELETE,
              ScriptCommand.of(args -> new Store.Delete(args.string("key")), deleted -> deleted))
          .build();
  private TestNode node;

  @BeforeEach
  void boot() {
    node =
        TestNode.builder()
            .manualTime()
            .component(Stores.component())
            .dispatcher(new StoreModule())
            .component(EventBus.component())
            .dispatcher(new EventModule())
            .dispatcher(new ClockModule())
            .dispatcher(eval)
            .build();
  }

  @AfterEach
  void shutdown() {
    node.close();
  }

  /** Creates the script process from a coroutine that monitors it, and returns how it ended. */
  private ProcessResult runScript(Eval.CreateProcess create) {
    ProcessResult watcher =
        node.runCoroutine(
            (process, input) -> {
              var _ = process.call(create.monitored());
              Message exit = process.receive(Message.EXIT_TOPIC);
              return ((ExitSignal) Objects.requireNonNull(exit.payload())).result();
            },
            null);
    assertThat(watcher.error()).isNull();
    return (ProcessResult) Objects.requireNonNull(watcher.value());
  }

  @Test
  void aScriptProcessYieldsStoreCommandsAndEndsWithItsReturnValue() {
    ProcessResult result =
        runScript(
            Eval.CreateProcess.of(
                """
                function* main(input) {
                  const version = yield baton.store.set('greeting', 'hello ' + input.name);
                  const got = yield baton.command(120, { key: 'greeting' });
                  return { version, got };
                }
                """,
                Map.of("name", "ada"),
                STORE));

    assertThat(result.error()).isNull();
    assertThat(result.value()).isEqualTo(Map.of("version", 1L, "got", "hello ada"));
    assertThat(node.callInCoroutine(new Store.Get("greeting")))
        .isEqualTo("hello ada".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aScriptProcessSendsEventsAndSleepsOnTheNodesClock() {
    AtomicBoolean subscribed = new AtomicBoolean();
    TestNode.Started subscriber =
        node.startCoroutine(
            (process, input) -> {
              var _ = process.call(new Events.Subscribe("news"));
              subscribed.set(true);
              return process.receive("news").payload();
            },
            null);
    TestNode.awaitCondition("the subscription", subscribed::get);
    TestNode.Started watcher =
        node.startCoroutine(
            (process, input) -> {
              var _ =
                  process.call(
                      Eval.CreateProcess.of(
                              """
                              function* main() {
                                const receivers = yield baton.event.send('news', { n: 1 });
                                const woke = yield baton.clock.sleep(1000);
                                return { receivers, woke: typeof woke };
                              }
                              """,
                              null,
                              Set.of(Events.SEND, Clock.SLEEP))
                          .monitored());
              Message exit = process.receive(Message.EXIT_TOPIC);
              return ((ExitSignal) Objects.requireNonNull(exit.payload())).result();
            },
            null);

    assertThat(subscriber.await().value()).isEqualTo(Map.of("n", 1L));
    // The script sleeps on the node's (manual) clock: move it until the process ends.
    TestNode.awaitCondition(
        "the script to wake",
        () -> {
          node.manualTime().advance(Duration.ofMillis(250));
          return watcher.exit().isDone();
        });
    ProcessResult result = (ProcessResult) Objects.requireNonNull(watcher.await().value());
    assertThat(result.value()).isEqualTo(Map.of("receivers", 1L, "woke", "string"));
  }

  @Test
  void aCommandOutsideTheWhitelistFailsTheProcessWithoutBeingDispatched() {
    ProcessResult result =
        runScript(
            Eval.CreateProcess.of(
                "function* main() { yield baton.store.set('k', 'v'); return 'unreachable'; }",
                null,
                Set.of(Store.GET)));

    assertThat(result.error())
        .isInstanceOfSatisfying(
            CommandNotAllowedException.class, e -> assertThat(e.commandId()).isEqualTo(Store.SET))
        .hasMessageContaining("command id 121");
    assertThatThrownBy(() -> node.callInCoroutine(new Store.Get("k")))
        .isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void aFailedCommandThrowsIntoTheScriptWhichMayCatchIt() {
    ProcessResult result =
        runScript(
            Eval.CreateProcess.of(
                """
                function* main() {
                  try {
                    yield baton.store.get('missing');
                    return 'found';
                  } catch (e) {
                    return e.name + ': ' + (e instanceof Error) + ' ' + e.message.includes('missing');
                  }
                }
                """,
                null,
                STORE));

    assertThat(result.value()).isEqualTo("KeyNotFoundException: true true");
  }

  @Test
  void anUncaughtCommandFailureFailsTheProcess() {
    ProcessResult result =
        runScript(
            Eval.CreateProcess.of(
                "function* main() { return yield baton.store.get('missing'); }", null, STORE));

    assertThat(result.error())
        .isInstanceOfSatisfying(
            ScriptFailedException.class,
            e -> assertThat(e.errorName()).isEqualTo("KeyNotFoundException"));
  }

  @Test
  void aUserRegisteredFactoryBuildsItsCommand() {
    ProcessResult result =
        runScript(
            Eval.CreateProcess.of(
                """
                function* main() {
                  yield baton.store.set('doomed', 'x');
                  return [yield baton.command(122, { key: 'doomed' }),
                          yield baton.command(122, { key: 'doomed' })];
                }
                """,
                null,
                Set.of(Store.SET, Store.DELETE)));

    assertThat(result.value()).isEqualTo(List.of(true, false));
  }

  @Test
  void yieldingSomethingOtherThanACommandOrBadArgumentsFailsWithScriptCommandException() {
    assertThat(
            runScript(Eval.CreateProcess.of("function* main() { yield 42; }", null, STORE)).error())
        .isInstanceOf(ScriptCommandException.class)
        .hasMessageContaining("not a command");
    assertThat(
            runScript(
                    Eval.CreateProcess.of(
                        "function* main() { yield baton.command(121, { key: 'k' }); }",
                        null,
                        STORE))
                .error())
        .isInstanceOf(ScriptCommandException.class)
        .hasMessageContaining("'value'");
    assertThat(
            runScript(
                    Eval.CreateProcess.of(
                        "function* main() { yield baton.command(125, {}); }",
                        null,
                        Set.of(Store.LIST)))
                .error())
        .isInstanceOf(ScriptCommandException.class)
        .hasMessageContaining("no ScriptCommand factory");
  }

  @Test
  void aPlainMainFunctionRunsOnceAndItsValueIsTheResult() {
    assertThat(
            runScript(Eval.CreateProcess.of("function main(x) { return x + 1; }", 41, STORE))
                .value())
        .isEqualTo(42L);
    assertThat(runScript(Eval.CreateProcess.of("const nothing = 1;", null, STORE)).error())
        .isInstanceOf(ScriptFailedException.class)
        .hasMessageContaining("main");
  }

  @Test
  void aScriptProcessPastItsCommandBudgetFailsBeforeDispatchingTheNextOne() {
    ProcessResult counted =
        runScript(
            Eval.CreateProcess.of(
                    "function* main() { for (let i = 0; ; i++) yield baton.store.set('k', 'v' + i); }",
                    null,
                    STORE)
                .withLimits(Eval.Limits.DEFAULT.withMaxCommands(5)));

    assertThat(counted.error())
        .isInstanceOfSatisfying(
            ScriptLimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(Limit.COMMANDS));
    assertThat(
            new String(
                Objects.requireNonNull(node.callInCoroutine(new Store.Get("k"))),
                StandardCharsets.UTF_8))
        .isEqualTo("v4");

    // A yield* over a prepared array yields without a statement of the script's own: the budget
    // stops it just the same.
    ProcessResult delegated =
        runScript(
            Eval.CreateProcess.of(
                    "function* main() { yield* new Array(400).fill(baton.store.set('d', 'x'));"
                        + " return 'all dispatched'; }",
                    null,
                    STORE)
                .withLimits(Eval.Limits.DEFAULT.withMaxCommands(300)));

    assertThat(delegated.error())
        .isInstanceOfSatisfying(
            ScriptLimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(Limit.COMMANDS));
  }

  @Test
  void aScriptTamperingWithIntrinsicsDoesNotChangeHowTheModuleDrivesIt() {
    for (String source :
        List.of(
            "Object.getPrototypeOf(function* () {}).prototype.next = () => null;"
                + " function* main() { return 1; }",
            "Object.getPrototypeOf(function* () {}).prototype.next = () => 7;"
                + " function* main() { return 1; }",
            "JSON.parse = () => { throw new Error('no'); }; function* main() { return 1; }",
            "const gen = Object.getPrototypeOf(function* () {}); Object.getPrototypeOf = () => gen;"
                + " function main() { return 1; }")) {
      ProcessResult result = runScript(Eval.CreateProcess.of(source, null, STORE));

      assertThat(result.error()).as(source).isNull();
      assertThat(result.value()).as(source).isEqualTo(1L);
    }
  }

  @Test
  void aDelegatedIteratorsOddStepResultFailsTypedNotWithAnEngineError() {
    // yield* hands the delegate's own result objects on: done is 0 here, not a boolean.
    ProcessResult result =
        runScript(
            Eval.CreateProcess.of(
                "function* main() { yield* { [Symbol.iterator]() {"
                    + " return { next() { return { done: 0, value: 5 }; } }; } }; }",
                null,
                STORE));

    assertThat(result.error()).isInstanceOf(ScriptCommandException.class);
  }

  @Test
  void stoppingTheModuleFailsWorkStillQueuedForAScriptThread() {
    EvalModule single = EvalModule.builder().threads(1).build();
    try (TestNode one =
        TestNode.builder().manualTime().dispatcher(new ClockModule()).dispatcher(single).build()) {
      // A script process asleep on the node's clock: its next slice will need the only thread.
      TestNode.Started watcher =
          one.startCoroutine(
              (process, input) -> {
                var _ =
                    process.call(
                        Eval.CreateProcess.of(
                                "function* main() { yield baton.clock.sleep(1000); return 1; }",
                                null,
                                Set.of(Clock.SLEEP))
                            .monitored());
                Message exit = process.receive(Message.EXIT_TOPIC);
                return ((ExitSignal) Objects.requireNonNull(exit.payload())).result();
              },
              null);
      TestNode.awaitCondition("the script to sleep", () -> single.runningScripts() == 1);
      one.awaitWaiting(watcher.pid());
      // The only thread busy for good; then a Run and the process's next slice queue behind it.
      Eval.Limits endless =
          Eval.Limits.DEFAULT
              .withMaxStatements(Long.MAX_VALUE)
              .withCpuTime(Duration.ofMinutes(5))
              .withWallTime(Duration.ofMinutes(5));
      TestNode.Started busy =
          one.startCoroutine(
              (process, input) ->
                  process.call(Eval.Run.of("while (true) {}", null).withLimits(endless)),
              null);
      TestNode.awaitCondition("the busy script to run", () -> single.runningScripts() == 2);
      TestNode.Started queued =
          one.startCoroutine((process, input) -> process.call(Eval.Run.of("1", null)), null);
      one.awaitWaiting(queued.pid());
      one.manualTime().advance(Duration.ofSeconds(1));

      single.stop();

      assertThat(busy.await().error()).isInstanceOf(EvalStoppedException.class);
      assertThat(queued.await().error()).isInstanceOf(EvalStoppedException.class);
      ProcessResult script = (ProcessResult) Objects.requireNonNull(watcher.await().value());
      assertThat(script.error()).isInstanceOf(EvalStoppedException.class);
    }
  }

  @Test
  void terminatingTheProcessStopsItsRunningScript() {
    Pid pid =
        node.callInCoroutine(
            Eval.CreateProcess.of("function* main() { while (true) {} }", null, STORE)
                .withLimits(
                    Eval.Limits.DEFAULT
                        .withMaxStatements(Long.MAX_VALUE)
                        .withCpuTime(Duration.ofMinutes(5))
                        .withWallTime(Duration.ofMinutes(5))));
    TestNode.awaitCondition("the script to run", () -> eval.runningScripts() == 1);

    node.scheduler().terminate(pid);

    TestNode.awaitCondition("the script to stop", () -> eval.runningScripts() == 0);
    TestNode.awaitCondition("the process to end", () -> !node.scheduler().isAlive(pid));
    assertThat(node.callInCoroutine(Eval.Run.of("'threads free'", null))).isEqualTo("threads free");
  }

  @Test
  void aScriptProcessOverItsLimitFailsWithTheLimit() {
    ProcessResult result =
        runScript(
            Eval.CreateProcess.of(
                    "function* main() { yield baton.store.set('a', '1'); while (true) {} }",
                    null,
                    STORE)
                .withLimits(Eval.Limits.DEFAULT.withMaxStatements(50_000)));

    assertThat(result.error())
        .isInstanceOfSatisfying(
            ScriptLimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(ScriptLimitExceededException.Limit.STATEMENTS));
  }

  @Test
  void createProcessFromAStepProcessCompletesWithThePid() {
    Event.Completion completion =
        node.yieldFromStep(Eval.CreateProcess.of("function* main() { return 1; }", null, STORE));

    assertThat(completion.error()).isNull();
    assertThat(completion.result()).isInstanceOf(Pid.class);
  }

  @Test
  void aSourceThatDoesNotParseIsRefusedBeforeSpawning() {
    assertThatThrownBy(
            () ->
                node.callInCoroutine(
                    Eval.CreateProcess.of("function* main() { yield ; ; )", null, STORE)))
        .isInstanceOf(ScriptCompileException.class);
  }

  @Test
  void aCompiledProgramCanBeTheProcessBody() {
    ProcessResult watcher =
        node.runCoroutine(
            (process, input) -> {
              Eval.ProgramId program =
                  process.call(
                      new Eval.Compile(
                          "counter.js",
                          "function* main(n) { yield baton.store.set('n', String(n)); return n;"
                              + " }"));
              var _ =
                  process.call(
                      Eval.CreateProcess.of("", 7, STORE)
                          .withScript(Eval.Script.program(program))
                          .monitored());
              Message exit = process.receive(Message.EXIT_TOPIC);
              return ((ExitSignal) Objects.requireNonNull(exit.payload())).result();
            },
            null);

    assertThat(((ProcessResult) Objects.requireNonNull(watcher.value())).value()).isEqualTo(7L);
    assertThat(node.callInCoroutine(new Store.Get("n")))
        .isEqualTo("7".getBytes(StandardCharsets.UTF_8));
  }
}
