package dev.baton.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.Dispatcher;
import dev.baton.eval.ScriptLimitExceededException.Limit;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.process.Event;
import dev.baton.process.ProcessResult;
import dev.baton.testing.TestNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compile and Run through processes (coroutines and step processes): results, errors, sandbox. */
class EvalModuleTest {

  private final EvalModule eval =
      EvalModule.builder()
          .threads(2)
          .scriptModule("greet", "globalThis.greet = Object.freeze((n) => 'hello ' + n);")
          .build();
  private TestNode node;

  @BeforeEach
  void boot() {
    node = TestNode.builder().manualTime().component(Dispatcher.component(eval)).build();
  }

  @AfterEach
  void shutdown() {
    node.close();
  }

  // ---- results ----

  @Test
  void runCompletesWithTheLastExpressionConvertedToPlainJava() {
    Object result =
        node.callInCoroutine(
            Eval.Run.of(
                "({ n: 1, big: 2 ** 40, half: 0.5, s: 'x', t: true, none: null,"
                    + " nothing: undefined, list: [1, 'two', [3]], nested: { a: { b: 'c' } } })",
                null));

    Map<String, Object> expected = new HashMap<>();
    expected.put("n", 1L);
    expected.put("big", 1L << 40);
    expected.put("half", 0.5);
    expected.put("s", "x");
    expected.put("t", true);
    expected.put("none", null);
    expected.put("nothing", null);
    expected.put("list", List.of(1L, "two", List.of(3L)));
    expected.put("nested", Map.of("a", Map.of("b", "c")));
    assertThat(result).isEqualTo(expected);
    assertThat(List.<Object>copyOf(((Map<?, ?>) result).keySet()))
        .containsExactly("n", "big", "half", "s", "t", "none", "nothing", "list", "nested");
  }

  @Test
  void runCallsMainWithTheInputConvertedIntoTheScript() {
    Object result =
        node.callInCoroutine(
            Eval.Run.of(
                "function main(input) { return input.words.map((w) => w.toUpperCase()).join(' ')"
                    + " + ' ' + (input.n * 2) + ' ' + typeof input.flag; }",
                Map.of("words", List.of("a", "b"), "n", 21, "flag", true)));

    assertThat(result).isEqualTo("A B 42 boolean");
  }

  @Test
  void runSeesItsInputAsTheGlobalInput() {
    assertThat(node.callInCoroutine(Eval.Run.of("input.length + input[0]", List.of(7, 8))))
        .isEqualTo(9L);
  }

  @Test
  void runYieldedFromAStepProcessCompletesItsTag() {
    Event.Completion completion =
        node.yieldFromStep(Eval.Run.of("[1, 2].map((x) => x * 10)", null));

    assertThat(completion.error()).isNull();
    assertThat(completion.result()).isEqualTo(List.of(10L, 20L));
  }

  @Test
  void runFailureReachesAStepProcessAsTheCompletionsError() {
    Event.Completion completion =
        node.yieldFromStep(Eval.Run.of("throw new RangeError('no')", null));

    assertThat(completion.error())
        .isInstanceOfSatisfying(
            ScriptFailedException.class, e -> assertThat(e.errorName()).isEqualTo("RangeError"));
  }

  @Test
  void aFunctionOrOtherNonDataResultIsRefused() {
    for (String source :
        List.of(
            "(() => 1)",
            "Symbol('s')",
            "new Error('e')",
            "new Map()",
            "new Date(0)",
            "({ f: function () {} })",
            "Promise.resolve(1)")) {
      assertThatThrownBy(() -> node.callInCoroutine(Eval.Run.of(source, null)))
          .as(source)
          .isInstanceOf(ScriptValueException.class)
          .hasMessageContaining("cannot leave the sandbox");
    }
  }

  @Test
  void aCyclicResultIsRefused() {
    assertThatThrownBy(() -> node.callInCoroutine(Eval.Run.of("const a = {}; a.self = a; a", null)))
        .isInstanceOf(ScriptValueException.class)
        .hasMessageContaining("nests deeper than");
  }

  @Test
  void anInputScriptsCannotSeeIsRefusedBeforeRunning() {
    assertThatThrownBy(() -> node.callInCoroutine(Eval.Run.of("1", new Object())))
        .isInstanceOf(ScriptValueException.class)
        .hasMessageContaining("java.lang.Object");
    assertThatThrownBy(() -> node.callInCoroutine(Eval.Run.of("1", Double.NaN)))
        .isInstanceOf(ScriptValueException.class);
  }

  // ---- errors ----

  @Test
  void aSyntaxErrorIsAScriptCompileExceptionWithItsPosition() {
    assertThatThrownBy(
            () -> node.callInCoroutine(new Eval.Compile("bad.js", "let a = 1;\nlet b = ;\n")))
        .isInstanceOfSatisfying(
            ScriptCompileException.class,
            e -> {
              assertThat(e.script()).isEqualTo("bad.js");
              assertThat(e.line()).isEqualTo(2);
              assertThat(e.column()).isEqualTo(9);
            });
    assertThatThrownBy(() -> node.callInCoroutine(Eval.Run.of("}{", null)))
        .isInstanceOf(ScriptCompileException.class);
  }

  @Test
  void anUncaughtThrowIsAScriptFailedExceptionWithNameMessageAndLine() {
    assertThatThrownBy(
            () ->
                node.callInCoroutine(
                    Eval.Run.of("const x = 1;\nthrow new TypeError('bad ' + x);", null)))
        .isInstanceOfSatisfying(
            ScriptFailedException.class,
            e -> {
              assertThat(e.errorName()).isEqualTo("TypeError");
              assertThat(e.errorMessage()).isEqualTo("bad 1");
              assertThat(e.line()).isEqualTo(2);
            });
  }

  // ---- programs ----

  @Test
  void aCompiledProgramRunsManyTimesForItsOwner() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              Eval.ProgramId program =
                  process.call(new Eval.Compile("double.js", "function main(n) { return n * 2; }"));
              Object first =
                  process.call(
                      new Eval.Run(Eval.Script.program(program), 1, Set.of(), Eval.Limits.DEFAULT));
              Object second =
                  process.call(
                      new Eval.Run(Eval.Script.program(program), 5, Set.of(), Eval.Limits.DEFAULT));
              return List.of(first, second);
            },
            null);

    assertThat(result.value()).isEqualTo(List.of(2L, 10L));
    TestNode.awaitCondition("the program to be released", () -> eval.programCount() == 0);
  }

  @Test
  void anotherProcessCannotRunSomeoneElsesProgram() {
    AtomicReference<Eval.ProgramId> program = new AtomicReference<>();
    TestNode.Started owner =
        node.startCoroutine(
            (process, input) -> {
              program.set(process.call(Eval.Compile.of("1")));
              return process.receive("never");
            },
            null);
    TestNode.awaitCondition("the program to be compiled", () -> program.get() != null);

    assertThatThrownBy(
            () ->
                node.callInCoroutine(
                    new Eval.Run(
                        Eval.Script.program(program.get()), null, Set.of(), Eval.Limits.DEFAULT)))
        .isInstanceOf(HandleNotFoundException.class);
    node.scheduler().terminate(owner.pid());
    TestNode.awaitCondition("the program to be released", () -> eval.programCount() == 0);
  }

  // ---- sandbox ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Java.type('java.lang.System').exit(1)",
        "Java.type('java.lang.Runtime').getRuntime().exec('touch /tmp/eval-pwned')",
        "Packages.java.io.File",
        "java.lang.System.exit(1)",
        "Polyglot.import('x')",
        "Polyglot.eval('js', '1')",
        "load('/etc/passwd')",
        "read('/etc/passwd')",
        "readFile('/etc/passwd')",
        "print('leak')",
        "quit()",
        "exit(1)",
        "require('fs').readFileSync('/etc/passwd')",
        "process.env.HOME",
        "new Worker('x.js')",
        "fetch('http://127.0.0.1/')",
        "new XMLHttpRequest()",
        "importScripts('x.js')",
        "setTimeout(() => 1, 0)",
        "Graal.evalInContext('1')",
        "(0, eval)('Java').type('java.lang.System')",
        "this.constructor.constructor('return Java')().type('java.lang.System')",
      })
  void aScriptCannotReachTheHost(String source) {
    assertThatThrownBy(() -> node.callInCoroutine(Eval.Run.of(source, null)))
        .isInstanceOfSatisfying(
            ScriptFailedException.class,
            e -> assertThat(e.errorName()).isIn("ReferenceError", "TypeError"));
    // The JVM is unharmed and the module keeps working.
    assertThat(node.callInCoroutine(Eval.Run.of("40 + 2", null))).isEqualTo(42L);
    assertThat(new java.io.File("/tmp/eval-pwned")).doesNotExist();
  }

  @Test
  void denialsAreVisibleToTheScriptAsMissingGlobals() {
    Object result =
        node.callInCoroutine(
            Eval.Run.of(
                "['Java', 'Polyglot', 'Packages', 'java', 'javafx', 'Graal', 'load', 'print',"
                    + " 'quit', 'require',"
                    + " 'process', 'json', 'greet', 'baton'].filter((n) => typeof globalThis[n] !=="
                    + " 'undefined')",
                null));

    assertThat(result).isEqualTo(List.of());
  }

  @Test
  void onlyWhitelistedScriptModulesAreInstalled() {
    assertThat(
            node.callInCoroutine(
                Eval.Run.of("json.encode({ a: greet('x') })", null).withModules("json", "greet")))
        .isEqualTo("{\"a\":\"hello x\"}");
    assertThat(
            node.callInCoroutine(
                Eval.Run.of("typeof json + ' ' + typeof greet", null).withModules("greet")))
        .isEqualTo("undefined function");
    assertThatThrownBy(() -> node.callInCoroutine(Eval.Run.of("1", null).withModules("fs")))
        .isInstanceOfSatisfying(
            UnknownScriptModuleException.class, e -> assertThat(e.name()).isEqualTo("fs"));
  }

  @Test
  void runsDoNotShareState() {
    assertThat(
            node.callInCoroutine(
                Eval.Run.of("globalThis.leak = 1; Object.prototype.x = 2; 0", null)))
        .isEqualTo(0L);
    assertThat(node.callInCoroutine(Eval.Run.of("typeof leak + ' ' + typeof ({}).x", null)))
        .isEqualTo("undefined undefined");
  }

  // ---- limits ----

  @Test
  void anInfiniteLoopIsStoppedByTheStatementLimit() {
    Eval.Run run =
        Eval.Run.of("while (true) {}", null)
            .withLimits(Eval.Limits.DEFAULT.withMaxStatements(100_000));

    assertThatThrownBy(() -> node.callInCoroutine(run))
        .isInstanceOfSatisfying(
            ScriptLimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(Limit.STATEMENTS))
        .hasMessageContaining("100000 statements");
  }

  @Test
  void aThrownValueWhoseNameGetterLoopsIsStoppedByTheLimitsNotLeakedAsAnEngineError() {
    String source = "throw { get name() { while (true) {} }, message: 'm' }";
    Eval.Limits byWatchdog =
        Eval.Limits.DEFAULT
            .withMaxStatements(Long.MAX_VALUE)
            .withCpuTime(Duration.ofMillis(200))
            .withWallTime(Duration.ofSeconds(5));

    assertThatThrownBy(() -> node.callInCoroutine(Eval.Run.of(source, null).withLimits(byWatchdog)))
        .isInstanceOfSatisfying(
            ScriptLimitExceededException.class,
            e -> assertThat(e.limit()).isIn(Limit.CPU_TIME, Limit.WALL_TIME));
    assertThatThrownBy(
            () ->
                node.callInCoroutine(
                    Eval.Run.of(source, null)
                        .withLimits(Eval.Limits.DEFAULT.withMaxStatements(100_000))))
        .isInstanceOfSatisfying(
            ScriptLimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(Limit.STATEMENTS));
  }

  @Test
  void aThrownValueWhoseNameGetterThrowsIsAScriptFailedException() {
    assertThatThrownBy(
            () ->
                node.callInCoroutine(
                    Eval.Run.of("throw { get name() { throw 5; }, message: 'm' }", null)))
        .isInstanceOf(ScriptFailedException.class);
  }

  @Test
  void aRunThatPassesItsAllocationBudgetBetweenTwoWatchdogTicksStillFails() {
    // 8 MiB allocated in a millisecond or two, then the script ends: no tick needs to see it.
    Eval.Run run =
        Eval.Run.of("new Float64Array(2 ** 20).length", null)
            .withLimits(Eval.Limits.DEFAULT.withMaxAllocatedBytes(1 << 20));
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> node.callInCoroutine(run))
          .isInstanceOfSatisfying(
              ScriptLimitExceededException.class,
              e -> assertThat(e.limit()).isEqualTo(Limit.MEMORY));
    }
  }

  @Test
  void aRunOverItsWallTimeWhenItEndsFailsThoughNoTickSawIt() {
    // A script ending well within the watchdog's tick, over a one-nanosecond wall-time limit.
    Eval.Run run =
        Eval.Run.of("1", null).withLimits(Eval.Limits.DEFAULT.withWallTime(Duration.ofNanos(1)));
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> node.callInCoroutine(run))
          .isInstanceOfSatisfying(
              ScriptLimitExceededException.class,
              e -> assertThat(e.limit()).isEqualTo(Limit.WALL_TIME));
    }
  }

  @Test
  void anInfiniteLoopIsStoppedByTheCpuLimitWithinABound() {
    Eval.Run run =
        Eval.Run.of("let i = 0; while (true) { i++; }", null)
            .withLimits(
                Eval.Limits.DEFAULT
                    .withMaxStatements(Long.MAX_VALUE)
                    .withCpuTime(Duration.ofMillis(200))
                    .withWallTime(Duration.ofMinutes(1)));
    long started = System.nanoTime();

    assertThatThrownBy(() -> node.callInCoroutine(run))
        .isInstanceOfSatisfying(
            ScriptLimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(Limit.CPU_TIME));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void anInfiniteLoopIsStoppedByTheWallTimeLimit() {
    Eval.Run run =
        Eval.Run.of("while (true) {}", null)
            .withLimits(
                Eval.Limits.DEFAULT
                    .withMaxStatements(Long.MAX_VALUE)
                    .withCpuTime(Duration.ofMinutes(1))
                    .withWallTime(Duration.ofMillis(200)));

    assertThatThrownBy(() -> node.callInCoroutine(run))
        .isInstanceOfSatisfying(
            ScriptLimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(Limit.WALL_TIME));
  }

  @Test
  void aScriptBuildingAHugeArrayIsStoppedByTheMemoryLimit() {
    Eval.Run run =
        Eval.Run.of("const a = []; while (true) { a.push('item ' + a.length); }", null)
            .withLimits(
                Eval.Limits.DEFAULT
                    .withMaxStatements(Long.MAX_VALUE)
                    .withMaxAllocatedBytes(64L << 20));

    assertThatThrownBy(() -> node.callInCoroutine(run))
        .isInstanceOfSatisfying(
            ScriptLimitExceededException.class, e -> assertThat(e.limit()).isEqualTo(Limit.MEMORY));
    assertThat(node.callInCoroutine(Eval.Run.of("'still' + ' fine'", null)))
        .isEqualTo("still fine");
  }

  @Test
  void aScriptBuildingAHugeStringIsStopped() {
    Eval.Run run =
        Eval.Run.of("let s = 'x'; while (true) { s = s + s; s.charCodeAt(s.length - 1); }", null)
            .withLimits(
                Eval.Limits.DEFAULT
                    .withMaxStatements(Long.MAX_VALUE)
                    .withMaxAllocatedBytes(64L << 20));

    // Reading a character flattens the doubled string, which allocates: the budget stops it long
    // before the engine's own string-length limit (2^30 characters).
    assertThatThrownBy(() -> node.callInCoroutine(run))
        .isInstanceOfSatisfying(
            ScriptLimitExceededException.class, e -> assertThat(e.limit()).isEqualTo(Limit.MEMORY));
    assertThat(node.callInCoroutine(Eval.Run.of("1", null))).isEqualTo(1L);
  }

  // ---- cancellation ----

  @Test
  void endingTheCallerStopsItsRun() {
    Eval.Run forever =
        Eval.Run.of("while (true) {}", null)
            .withLimits(
                Eval.Limits.DEFAULT
                    .withMaxStatements(Long.MAX_VALUE)
                    .withCpuTime(Duration.ofMinutes(5))
                    .withWallTime(Duration.ofMinutes(5)));
    TestNode.Started caller = node.startCoroutine((process, input) -> process.call(forever), null);
    TestNode.awaitCondition("the script to run", () -> eval.runningScripts() == 1);

    node.scheduler().terminate(caller.pid());

    TestNode.awaitCondition("the script to stop", () -> eval.runningScripts() == 0);
    // Both script threads are free again.
    assertThat(node.callInCoroutine(Eval.Run.of("'free'", null))).isEqualTo("free");
  }

  @Test
  void aRunWhoseDeadlinePassesIsStopped() {
    Eval.Run forever =
        Eval.Run.of("while (true) {}", null)
            .withLimits(
                Eval.Limits.DEFAULT
                    .withMaxStatements(Long.MAX_VALUE)
                    .withCpuTime(Duration.ofMinutes(5))
                    .withWallTime(Duration.ofMinutes(5)));
    TestNode.Started caller =
        node.startCoroutine(
            (process, input) -> {
              try {
                return process.call(forever, Duration.ofSeconds(1));
              } catch (RuntimeException e) {
                return e.getClass().getSimpleName();
              }
            },
            null);
    TestNode.awaitCondition("the script to run", () -> eval.runningScripts() == 1);
    node.awaitWaiting(caller.pid());

    node.manualTime().advance(Duration.ofSeconds(1));

    assertThat(caller.await().value()).isEqualTo("YieldTimeoutException");
    TestNode.awaitCondition("the script to stop", () -> eval.runningScripts() == 0);
  }

  @Test
  void stoppingTheModuleStopsARunningScript() {
    Eval.Run forever =
        Eval.Run.of("while (true) {}", null)
            .withLimits(
                Eval.Limits.DEFAULT
                    .withMaxStatements(Long.MAX_VALUE)
                    .withCpuTime(Duration.ofMinutes(5))
                    .withWallTime(Duration.ofMinutes(5)));
    TestNode.Started caller = node.startCoroutine((process, input) -> process.call(forever), null);
    TestNode.awaitCondition("the script to run", () -> eval.runningScripts() == 1);

    eval.stop();

    assertThat(caller.await().error()).isInstanceOf(EvalStoppedException.class);
    assertThat(eval.runningScripts()).isZero();
  }

  @Test
  void aStoppedModuleRefusesRuns() {
    eval.stop();

    assertThatThrownBy(() -> node.callInCoroutine(Eval.Run.of("1", null)))
        .isInstanceOf(EvalStoppedException.class);
  }

  @Test
  void commandRecordsValidateTheirArguments() {
    assertThatThrownBy(() -> new Eval.Compile(" ", "1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Eval.Limits.DEFAULT.withMaxStatements(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxStatements");
    assertThatThrownBy(() -> Eval.Limits.DEFAULT.withCpuTime(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cpuTime");
  }
}
