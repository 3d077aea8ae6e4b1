package dev.baton.workflow;

import static dev.baton.testing.TestNode.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.dispatch.UnknownCommandException;
import dev.baton.modules.store.Store;
import dev.baton.process.Event;
import dev.baton.testing.TestNode;
import dev.baton.time.ManualTimeSource;
import dev.baton.workflow.Workflows.Call;
import dev.baton.workflow.Workflows.SideEffect;
import dev.baton.workflow.Workflows.Version;
import dev.baton.workflow.spi.JournalEntry;
import dev.baton.workflow.spi.JournalUnavailableException;
import dev.baton.workflow.spi.Payload;
import dev.baton.workflow.spi.WorkflowJournal;
import dev.baton.workflow.spi.WorkflowStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine on in-memory journals: a "crash" is a {@link CrashingJournal} that stops the run right
 * after a chosen entry is journaled; the "restart" is a new node with a new module on the same
 * store, which resumes the unfinished workflows as it starts.
 */
class WorkflowModuleTest {
  private final InMemoryWorkflowJournal store = new InMemoryWorkflowJournal();
  private final List<TestNode> nodes = new ArrayList<>();
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(TestNode::close);
  }

  private TestNode node(WorkflowJournal journal, Consumer<WorkflowModule.Builder> types) {
    WorkflowModule.Builder builder = WorkflowModule.builder().journal(journal);
    types.accept(builder);
    return boot(builder.build());
  }

  private WorkflowModule module = WorkflowModule.builder().build(); // the last booted one

  private TestNode boot(WorkflowModule workflows) {
    nodes.forEach(TestNode::close);
    nodes.clear();
    module = workflows;
    TestNode node = TestNode.builder().manualTime().dispatcher(workflows).build();
    nodes.add(node);
    return node;
  }

  /** A side effect that counts its executions under {@code name}. */
  private <T> SideEffect<T> counted(String name, Class<T> type, T value) {
    return new SideEffect<>(
        name,
        type,
        () -> {
          runs.computeIfAbsent(name, key -> new AtomicInteger()).incrementAndGet();
          return value;
        });
  }

  private int runsOf(String name) {
    AtomicInteger count = runs.get(name);
    return count == null ? 0 : count.get();
  }

  private Workflow twoSteps() {
    return (scope, input) -> {
      int one = scope.call(counted("one", Integer.class, 10));
      int two = scope.call(counted("two", Integer.class, 20));
      return one + two;
    };
  }

  private static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
    try {
      future.get(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause() != null ? e.getCause() : e;
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the workflow did not end within " + BOUND, e);
    }
    throw new AssertionError("the workflow completed; expected it to fail");
  }

  @Test
  void sideEffectRunsOnceAcrossACrashAndTheReplayReturnsItsJournaledValue() throws Exception {
    node(new CrashingJournal(store, "w", 0), b -> b.register("steps", twoSteps()));
    assertThat(failureOf(module.start("steps", "w", null)))
        .isInstanceOf(JournalUnavailableException.class);
    assertThat(store.entries("w")).hasSize(1);
    assertThat(store.find("w").orElseThrow().status()).isEqualTo(WorkflowStatus.RUNNING);

    node(store, b -> b.register("steps", twoSteps())); // resumes "w" as it starts

    assertThat(module.start("steps", "w", null)).succeedsWithin(BOUND).isEqualTo(30);
    assertThat(runsOf("one")).isEqualTo(1);
    assertThat(runsOf("two")).isEqualTo(1);
    assertThat(store.find("w").orElseThrow().status()).isEqualTo(WorkflowStatus.COMPLETED);
  }

  @Test
  void startingAFinishedWorkflowAnswersFromTheJournalWithoutRunningIt() {
    node(store, b -> b.register("steps", twoSteps()));
    assertThat(module.start("steps", "w", null)).succeedsWithin(BOUND).isEqualTo(30);

    node(store, b -> b.register("steps", twoSteps()));

    assertThat(module.start("steps", "w", null, Integer.class)).succeedsWithin(BOUND).isEqualTo(30);
    assertThat(runsOf("one")).isEqualTo(1);
    assertThat(runsOf("two")).isEqualTo(1);
  }

  @Test
  void replayThatYieldsAnotherCommandFailsWithNonDeterminismAndLeavesTheWorkflowRunning()
      throws Exception {
    node(new CrashingJournal(store, "w", 0), b -> b.register("steps", twoSteps()));
    var _ = failureOf(module.start("steps", "w", null));
    Workflow changed = (scope, input) -> scope.call(counted("renamed", Integer.class, 1));

    node(store, b -> b.register("steps", changed));

    Throwable failure = failureOf(module.start("steps", "w", null));
    assertThat(failure)
        .isInstanceOf(NonDeterminismException.class)
        .hasMessageContaining("SideEffect 'one'")
        .hasMessageContaining("SideEffect 'renamed'");
    assertThat(((NonDeterminismException) failure).seq()).isZero();
    assertThat(runsOf("renamed")).isZero();
    assertThat(store.find("w").orElseThrow().status()).isEqualTo(WorkflowStatus.RUNNING);
    assertThat(store.entries("w")).hasSize(1);
  }

  @Test
  void codeThatReturnsBeforeConsumingTheJournalIsNonDeterministic() throws Exception {
    node(new CrashingJournal(store, "w", 1), b -> b.register("steps", twoSteps()));
    var _ = failureOf(module.start("steps", "w", null));

    node(
        store,
        b -> b.register("steps", (scope, input) -> scope.call(counted("one", Integer.class, 0))));

    assertThat(failureOf(module.start("steps", "w", null)))
        .isInstanceOf(NonDeterminismException.class)
        .hasMessageContaining("the journal has 2 entries");
  }

  @Test
  void versionGivesNewRunsTheMaxAndJournalsFromBeforeTheChangeTheDefault() throws Exception {
    // an old run journals both steps (entry 1 is step two, where the new code asks for a version)
    node(new CrashingJournal(store, "old", 1), b -> b.register("order", twoSteps()));
    var _ = failureOf(module.start("order", "old", null));
    Workflow changed =
        (scope, input) -> {
          int one = scope.call(counted("one", Integer.class, 10));
          int version = scope.version("fee", Version.DEFAULT_VERSION, 1);
          int again = scope.call(new Version("fee", Version.DEFAULT_VERSION, 1));
          int two = scope.call(counted("two", Integer.class, version == 1 ? 25 : 20));
          return List.of(one + two, version, again);
        };

    node(new CrashingJournal(store, "new", 1), b -> b.register("order", changed));
    assertThat(module.start("order", "old", null))
        .succeedsWithin(BOUND)
        .isEqualTo(List.of(30, -1, -1));
    assertThat(failureOf(module.start("order", "new", null)))
        .isInstanceOf(JournalUnavailableException.class);
    assertThat(store.entries("new").get(1).kind()).isEqualTo(Version.class.getName());

    node(store, b -> b.register("order", changed)); // replays "new" past its version marker

    assertThat(module.start("order", "new", null))
        .succeedsWithin(BOUND)
        .isEqualTo(List.of(35, 1, 1));
    assertThat(store.entries("old"))
        .extracting(JournalEntry::kind)
        .doesNotContain(Version.class.getName());
  }

  @Test
  void versionTheCodeNoLongerSupportsFailsTheReplay() throws Exception {
    // an old run journals both steps (entry 1 is step two, where the new code asks for a version)
    node(new CrashingJournal(store, "old", 1), b -> b.register("order", twoSteps()));
    var _ = failureOf(module.start("order", "old", null));
    Workflow onlyNew =
        (scope, input) -> {
          var _ = scope.call(counted("one", Integer.class, 10));
          return scope.version("fee", 1, 1);
        };

    node(store, b -> b.register("order", onlyNew));

    assertThat(failureOf(module.start("order", "old", null)))
        .isInstanceOf(NonDeterminismException.class)
        .hasMessageContaining("version -1 of change 'fee'");
  }

  @Test
  void upsertedAttributesFindTheWorkflow() {
    node(
        store,
        b ->
            b.register(
                "order",
                (scope, input) -> {
                  scope.upsertAttributes(Map.of("customer", (String) input, "stage", "new"));
                  scope.upsertAttributes(Map.of("stage", "paid"));
                  return "ok";
                }));

    assertThat(module.start("order", "o1", "c1")).succeedsWithin(BOUND).isEqualTo("ok");
    assertThat(module.start("order", "o2", "c2")).succeedsWithin(BOUND).isEqualTo("ok");

    assertThat(module.findByAttribute("customer", "c1")).containsExactly("o1");
    assertThat(module.findByAttribute("stage", "paid")).containsExactly("o1", "o2");
    assertThat(module.attributes("o1")).isEqualTo(Map.of("customer", "c1", "stage", "paid"));
  }

  private static void register(WorkflowModule.Builder builder, WorkflowModuleTest test) {
    builder.register(
        "parent",
        (scope, input) -> "parent(" + scope.callChild("child", input, String.class) + ")");
    builder.register(
        "child",
        (scope, input) -> scope.call(test.counted("ship", String.class, "shipped-" + input)));
  }

  @Test
  void childWorkflowGetsADeterministicIdAndRunsOnceAcrossACrash() throws Exception {
    // the child's entry is journaled, the parent's Call is not: both stop
    node(new CrashingJournal(store, "p/0", 0), b -> register(b, this));
    assertThat(failureOf(module.start("parent", "p", "x")))
        .isInstanceOf(JournalUnavailableException.class);
    assertThat(store.find("p/0").orElseThrow().type()).isEqualTo("child");

    node(store, b -> register(b, this));

    assertThat(module.start("parent", "p", "x"))
        .succeedsWithin(BOUND)
        .isEqualTo("parent(shipped-x)");
    assertThat(runsOf("ship")).isEqualTo(1);
    assertThat(store.find("p/0").orElseThrow().status()).isEqualTo(WorkflowStatus.COMPLETED);
    assertThat(store.entries("p").getFirst().name()).isEqualTo("child:p/0");
  }

  @Test
  void timeRandomnessAndIdsAreJournaledSoAReplaySeesTheSameValues() throws Exception {
    List<List<Object>> seen = new CopyOnWriteArrayList<>();
    Workflow draws =
        (scope, input) -> {
          Instant now = scope.now();
          long first = scope.random().nextLong();
          int second = scope.random().nextInt(1000);
          String id = scope.newId();
          seen.add(List.of(now, first, second, id));
          var _ = scope.call(counted("last", Integer.class, 1));
          return id;
        };
    TestNode first = node(new CrashingJournal(store, "w", 3), b -> b.register("draws", draws));
    var _ = failureOf(module.start("draws", "w", null));
    ManualTimeSource clock = first.manualTime();
    assertThat(seen).hasSize(1);

    TestNode second = node(store, b -> b.register("draws", draws));
    second.manualTime().advance(Duration.ofHours(1)); // a replay must not see the new time

    assertThat(module.start("draws", "w", null))
        .succeedsWithin(BOUND)
        .isEqualTo(seen.getFirst().get(3));
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1)).isEqualTo(seen.get(0));
    assertThat(seen.get(0).get(0)).isEqualTo(ManualTimeSource.DEFAULT_EPOCH);
    assertThat(clock).isNotNull();
    assertThat(store.entries("w"))
        .extracting(JournalEntry::name)
        .containsExactly("@now", "@random-seed", "@new-id", "last");
  }

  @Test
  void durableSleepJournalsItsWakeUpSoAResumedRunSleepsOnlyWhatIsLeft() throws Exception {
    Workflow sleeper =
        (scope, input) -> {
          scope.sleep(Duration.ofHours(1));
          return scope.call(counted("woke", Integer.class, 1));
        };
    node(new CrashingJournal(store, "w", 0), b -> b.register("sleeper", sleeper));
    var _ = failureOf(module.start("sleeper", "w", null)); // stops once the wake-up is journaled
    assertThat(store.entries("w").getFirst().name()).isEqualTo("@sleep-until");

    TestNode second = node(store, b -> b.register("sleeper", sleeper));
    CompletableFuture<Integer> woke = module.start("sleeper", "w", null, Integer.class);
    second.manualTime().advance(Duration.ofMinutes(59));
    assertThat(woke).isNotDone();
    assertThat(runsOf("woke")).isZero();
    second.manualTime().advance(Duration.ofMinutes(1));

    assertThat(woke).succeedsWithin(BOUND).isEqualTo(1);
    assertThat(runsOf("woke")).isEqualTo(1);
  }

  @Test
  void commandCutShortByTheNodeStoppingIsNotJournaledAndRunsAgainOnResume() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Workflow slow =
        (scope, input) ->
            scope.sideEffect(
                "slow",
                Integer.class,
                () -> {
                  runs.computeIfAbsent("slow", key -> new AtomicInteger()).incrementAndGet();
                  release.await(); // interrupted when the first node stops
                  return 5;
                });
    TestNode first = node(store, b -> b.register("slow", slow));
    var cut = module.start("slow", "w", null);
    TestNode.awaitCondition("the side effect started", () -> runsOf("slow") == 1);

    first.close();

    assertThat(failureOf(cut)).isNotInstanceOf(WorkflowFailedException.class);
    assertThat(store.entries("w")).isEmpty();
    assertThat(store.find("w").orElseThrow().status()).isEqualTo(WorkflowStatus.RUNNING);
    release.countDown();
    node(store, b -> b.register("slow", slow));
    assertThat(module.start("slow", "w", null)).succeedsWithin(BOUND).isEqualTo(5);
    assertThat(runsOf("slow")).isEqualTo(2); // at least once: it ran, but was never journaled
  }

  @Test
  void failedCommandIsJournaledAndRethrownOnReplayWithoutRunningAgain() throws Exception {
    Workflow flaky =
        (scope, input) -> {
          String caught;
          try {
            scope.sideEffect(
                "flaky",
                String.class,
                () -> {
                  runs.computeIfAbsent("flaky", key -> new AtomicInteger()).incrementAndGet();
                  throw new IllegalStateException("boom");
                });
            caught = "nothing";
          } catch (WorkflowCommandException e) {
            caught = e.errorType() + " " + e.is(IllegalStateException.class);
          }
          var _ = scope.call(counted("after", Integer.class, 1));
          return caught;
        };
    node(new CrashingJournal(store, "w", 0), b -> b.register("flaky", flaky));
    var _ = failureOf(module.start("flaky", "w", null));
    assertThat(store.entries("w").getFirst().failure()).isNotNull();

    node(store, b -> b.register("flaky", flaky));

    assertThat(module.start("flaky", "w", null))
        .succeedsWithin(BOUND)
        .isEqualTo("java.lang.IllegalStateException true");
    assertThat(runsOf("flaky")).isEqualTo(1);
    assertThat(runsOf("after")).isEqualTo(1);
  }

  @Test
  void valueThatCannotBeReadBackIsTheCommandsJournaledFailureInTheFirstRunAndOnReplay()
      throws Exception {
    Workflow pair =
        (scope, input) -> {
          try {
            // Jackson writes a SimpleEntry as {"k":"v"} but cannot build one back.
            var _ =
                scope.sideEffect(
                    "pair",
                    Object.class,
                    () -> {
                      runs.computeIfAbsent("pair", key -> new AtomicInteger()).incrementAndGet();
                      return new AbstractMap.SimpleEntry<>("k", "v");
                    });
            return "read back";
          } catch (WorkflowCommandException e) {
            return e.errorType();
          }
        };
    node(store, b -> b.register("pair", pair));
    assertThat(module.start("pair", "first", null))
        .succeedsWithin(BOUND)
        .isEqualTo(IllegalArgumentException.class.getName());

    node(new CrashingJournal(store, "w", 0), b -> b.register("pair", pair));
    var _ = failureOf(module.start("pair", "w", null));
    node(store, b -> b.register("pair", pair));

    assertThat(module.start("pair", "w", null))
        .succeedsWithin(BOUND)
        .isEqualTo(IllegalArgumentException.class.getName());
    assertThat(store.entries("w").getFirst().failure()).isNotNull();
    assertThat(runsOf("pair")).isEqualTo(2); // once per workflow
  }

  @Test
  void valueAskedForAsAnAbstractTypeComesBackAsTheClassItHad() throws Exception {
    Workflow number =
        (scope, input) -> {
          Number n = scope.sideEffect("n", Number.class, () -> 5L);
          List<?> list = scope.sideEffect("list", List.class, () -> List.of(1, 2));
          return n.getClass().getSimpleName() + " " + list;
        };
    node(new CrashingJournal(store, "w", 1), b -> b.register("number", number));
    var _ = failureOf(module.start("number", "w", null));
    node(store, b -> b.register("number", number));
    assertThat(module.start("number", "fresh", null))
        .succeedsWithin(BOUND)
        .isEqualTo("Long [1, 2]");

    assertThat(module.start("number", "w", null)).succeedsWithin(BOUND).isEqualTo("Long [1, 2]");
  }

  @Test
  void journaledValueWhoseClassIsGoneStopsTheReplayAndLeavesTheWorkflowRunning() throws Exception {
    store.create("w", "gone", Payload.NULL);
    store.append(
        "w",
        new JournalEntry(
            0, SideEffect.class.getName(), "x", new Payload("com.example.Gone", "{}"), null));
    Workflow code =
        (scope, input) -> {
          try {
            return scope.sideEffect("x", Object.class, () -> "new");
          } catch (RuntimeException e) {
            return "caught " + e.getClass().getSimpleName(); // cannot finish the workflow anyway
          }
        };
    node(store, b -> b.register("gone", code));

    assertThat(failureOf(module.start("gone", "w", null)))
        .isInstanceOf(NonDeterminismException.class)
        .hasMessageContaining("com.example.Gone");
    assertThat(store.find("w").orElseThrow().status()).isEqualTo(WorkflowStatus.RUNNING);
  }

  @Test
  void journaledInputWhoseClassIsGoneStopsTheRunAndLeavesTheWorkflowRunning() throws Exception {
    store.create("w", "steps", new Payload("com.example.Gone", "{}"));
    node(store, b -> b.register("steps", twoSteps()));

    assertThat(failureOf(module.start("steps", "w", null)))
        .isInstanceOf(NonDeterminismException.class)
        .hasMessageContaining("input");
    assertThat(store.find("w").orElseThrow().status()).isEqualTo(WorkflowStatus.RUNNING);
    assertThat(runsOf("one")).isZero();
  }

  @Test
  void inputThatCannotBeReadBackIsRefusedBeforeTheWorkflowIsCreated() {
    node(store, b -> b.register("steps", twoSteps()));

    assertThatThrownBy(() -> module.start("steps", "w", new AbstractMap.SimpleEntry<>("k", "v")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.find("w")).isEmpty();
  }

  @Test
  void commandNoDispatcherOfThisNodeHandlesStopsTheRunUnjournaled() throws Exception {
    Workflow reads =
        (scope, input) -> {
          try {
            return scope.call(new Store.Get("kv", "k"));
          } catch (WorkflowCommandException e) {
            return e.errorType(); // journaled: a replay on a node with the store would see this
          }
        };
    node(store, b -> b.register("reads", reads)); // no store module on this node

    assertThat(failureOf(module.start("reads", "w", null)))
        .isInstanceOf(UnknownCommandException.class);
    assertThat(store.entries("w")).isEmpty();
    assertThat(store.find("w").orElseThrow().status()).isEqualTo(WorkflowStatus.RUNNING);
  }

  @Test
  void resultThatCannotBeReadBackFailsTheWorkflow() throws Exception {
    node(store, b -> b.register("pair", (scope, input) -> new AbstractMap.SimpleEntry<>("k", 1)));

    Throwable failure = failureOf(module.start("pair", "w", null));
    assertThat(failure).isInstanceOf(WorkflowFailedException.class);
    assertThat(((WorkflowFailedException) failure).errorType())
        .isEqualTo(IllegalArgumentException.class.getName());
    assertThat(store.find("w").orElseThrow().status()).isEqualTo(WorkflowStatus.FAILED);
  }

  @Test
  void workflowThatThrowsFailsWithItsJournaledError() throws Exception {
    node(
        store,
        b ->
            b.register(
                "bad",
                (scope, input) -> {
                  throw new IllegalArgumentException("bad input " + input);
                }));

    Throwable failure = failureOf(module.start("bad", "w", 7));
    assertThat(failure)
        .isInstanceOf(WorkflowFailedException.class)
        .hasMessageContaining("bad input 7");
    assertThat(((WorkflowFailedException) failure).errorType())
        .isEqualTo(IllegalArgumentException.class.getName());
    assertThat(store.find("w").orElseThrow().status()).isEqualTo(WorkflowStatus.FAILED);
    assertThat(failureOf(module.start("bad", "w", 7))).isInstanceOf(WorkflowFailedException.class);
  }

  @Test
  void workflowOnlyCommandsFromAPlainProcessFailWithNotAWorkflow() {
    TestNode node = node(store, b -> b.register("steps", twoSteps()));

    Event.Completion completion = node.yieldFromStep(counted("one", Integer.class, 1));
    assertThat(completion.error()).isInstanceOf(NotAWorkflowException.class);
    assertThatThrownBy(() -> node.callInCoroutine(new Version("fee", -1, 1)))
        .isInstanceOf(NotAWorkflowException.class);
    assertThatThrownBy(() -> node.callInCoroutine(new Workflows.UpsertAttrs(Map.of("a", "b"))))
        .isInstanceOf(NotAWorkflowException.class);
    assertThat(runsOf("one")).isZero();
  }

  @Test
  void callFromAPlainProcessStartsTheWorkflowAndAnswersItsResult() {
    TestNode node = node(store, b -> b.register("steps", twoSteps()));

    assertThat(node.callInCoroutine(new Call<>("steps", "w", null, Integer.class))).isEqualTo(30);
    Event.Completion again = node.yieldFromStep(new Call<>("steps", "w", null, Integer.class));
    assertThat(again.result()).isEqualTo(30);
    assertThat(runsOf("one")).isEqualTo(1);
    assertThatThrownBy(() -> node.callInCoroutine(new Call<>("nope", "w2", null, Object.class)))
        .isInstanceOf(WorkflowTypeNotFoundException.class);
    assertThatThrownBy(() -> node.callInCoroutine(Call.child("steps", null, Object.class)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void startWithAnUnknownTypeOrAnIdOfAnotherTypeIsRefused() {
    node(store, b -> b.register("steps", twoSteps()).register("other", twoSteps()));
    assertThat(module.start("steps", "w", null)).succeedsWithin(BOUND);

    assertThatThrownBy(() -> module.start("nope", "x", null))
        .isInstanceOf(WorkflowTypeNotFoundException.class)
        .hasMessageContaining("'nope'");
    assertThatThrownBy(() -> module.start("other", "w", null))
        .isInstanceOf(WorkflowTypeNotFoundException.class)
        .hasMessageContaining("exists with type 'steps'");
  }

  @Test
  void commandsCheckTheirArguments() {
    assertThatThrownBy(() -> new SideEffect<>(" ", String.class, () -> "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(() -> new Version("fee", 2, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Call<>("t", "", null, Object.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id");
    assertThatThrownBy(() -> new Workflows.UpsertAttrs(Map.of("", "v")))
        .isInstanceOf(IllegalArgumentException.class);
    // journal stores keep names and attributes as text, which cannot hold NUL
    assertThatThrownBy(() -> new Workflows.UpsertAttrs(Map.of("a", "v\u0000")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL");
    assertThatThrownBy(() -> new SideEffect<>("a\u0000b", String.class, () -> "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL");
  }

  @Test
  void startWithABlankIdIsRefused() {
    node(store, b -> b.register("steps", twoSteps()));

    assertThatThrownBy(() -> module.start("steps", " ", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
    assertThat(store.find(" ")).isEmpty();
  }
}
