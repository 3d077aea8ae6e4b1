package dev.baton.testkit;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.IdMakers;
import dev.baton.tasks.Report;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.Result;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskContext;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.TraceParent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of one {@link TaskApp} that is both caller and worker, as the seed's
 * DingoSingleAppTestSuite: S1 a monitored call reports SENT, PROGRESS, SUCCESS and returns the
 * value; S2 ids that collide across task names keep results apart under concurrency. Beyond the
 * seed: an unmonitored call reports only its outcome, a task that throws fails its call with {@link
 * ErrorCode#TASK_FAILED}, and trace context crosses the transport (a nested call continues the
 * caller's trace).
 *
 * <h2>How an adapter uses it</h2>
 *
 * <p>Extend it and implement {@link #newApp()}, which returns a new, started app ready to register
 * tasks, allocate workers and call: local mode, or remote mode with a broker and a backend attached
 * with {@link TaskApp#use}. Each test creates its apps and closes them before it returns (the
 * adapters stay open: close them in your own {@code @AfterEach}).
 *
 * <pre>{@code
 * class RedisSingleAppTest extends SingleAppContract {
 *   private RedisBroker broker;
 *   private RedisBackend backend;
 *   // open both in @BeforeEach, close both in @AfterEach
 *
 *   @Override
 *   protected TaskApp newApp() {
 *     TaskApp app = TaskApp.remote();
 *     app.use(broker);
 *     app.use(backend);
 *     return app;
 *   }
 * }
 * }</pre>
 *
 * <p>Task names carry a per-test prefix ({@link #newNamePrefix()}), so queues on a shared broker
 * never hold another test's tasks. Values travel as the public record {@link Reply}, which Jackson
 * reads because this module's package is open. Every wait is bounded by {@link #awaitBound()}; no
 * test sleeps.
 */
public abstract class SingleAppContract {

  /** What the two-argument task of S2 returns: its number plus 1000, and its message. */
  public record Reply(int n, String msg) {}

  private static final TaskOptions MONITORED = TaskOptions.builder().monitorProgress(true).build();

  private String prefix = "";

  /** For subclasses: the adapter's test class. */
  protected SingleAppContract() {}

  /**
   * A new app that is both caller and worker: started, in local mode or in remote mode with a
   * broker and a backend attached. The test closes it.
   */
  protected abstract TaskApp newApp();

  /**
   * A fresh task-name prefix for one test; called before each test. By default {@code "ct"}, 8
   * random hex digits and a dot.
   */
  protected String newNamePrefix() {
    return Contracts.uniquePrefix();
  }

  /** How long any single wait of a test may take before the test fails. 10 seconds. */
  protected Duration awaitBound() {
    return Duration.ofSeconds(10);
  }

  /** The current test's task-name prefix (for an {@code @AfterEach} that deletes its queues). */
  protected final String namePrefix() {
    return prefix;
  }

  /** {@code name} under the current test's prefix. */
  protected final String taskName(String name) {
    return prefix + name;
  }

  /** Chooses this test's prefix; JUnit runs it before the subclass's own {@code @BeforeEach}. */
  @BeforeEach
  protected final void choosePrefix() {
    prefix = newNamePrefix();
  }

  /**
   * S1: f(n) = n + 1 with one worker, called with monitor-progress and 5: the reports are exactly
   * SENT, PROGRESS, SUCCESS, all of the call's key; the value is 6; the function saw 5.
   */
  @Test
  public void monitoredCallReportsSentProgressSuccessAndReturnsTheValue() throws Exception {
    String name = taskName("inc");
    AtomicInteger seen = new AtomicInteger(Integer.MIN_VALUE);
    try (TaskApp app = newApp()) {
      app.register(
          name,
          int.class,
          int.class,
          n -> {
            seen.set(n);
            return n + 1;
          });
      app.allocate(name, 1, 1);
      Result<@Nullable Object> result = app.call(name, MONITORED, 5);
      List<Report> reports =
          Contracts.collect(result.reports(), awaitBound(), result.key().toString());

      assertThat(result.key().name()).isEqualTo(name);
      assertThat(reports)
          .extracting(Report::status)
          .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS);
      assertThat(reports).extracting(Report::key).containsOnly(result.key());
      assertThat(reports.get(2).value()).as("value of the SUCCESS report").isEqualTo(6);
      assertThat(result.await(awaitBound())).as("awaited value").isEqualTo(6);
      assertThat(seen.get()).as("argument the function saw").isEqualTo(5);
    }
  }

  /** Without monitor-progress a call's stream holds only its outcome. */
  @Test
  public void unmonitoredCallReportsOnlyItsOutcome() throws Exception {
    String name = taskName("plain");
    try (TaskApp app = newApp()) {
      app.register(name, int.class, int.class, n -> n * 2);
      app.allocate(name, 1, 1);
      Result<@Nullable Object> result = app.call(name, 21);
      List<Report> reports =
          Contracts.collect(result.reports(), awaitBound(), result.key().toString());
      assertThat(reports).extracting(Report::status).containsExactly(ReportStatus.SUCCESS);
      assertThat(result.await(awaitBound())).isEqualTo(42);
    }
  }

  /**
   * A task that throws fails its call: the last report is FAIL with {@link ErrorCode#TASK_FAILED}
   * and a message holding the exception's message, and await throws {@link TaskFailedException}.
   */
  @Test
  public void taskThatThrowsFailsItsCallWithTaskFailed() throws Exception {
    String name = taskName("throws");
    try (TaskApp app = newApp()) {
      app.register(
          name,
          String.class,
          String.class,
          s -> {
            throw new IllegalStateException("refused " + s);
          });
      app.allocate(name, 1, 1);
      Result<@Nullable Object> result = app.call(name, MONITORED, "this");
      List<Report> reports =
          Contracts.collect(result.reports(), awaitBound(), result.key().toString());
      assertThat(reports)
          .extracting(Report::status)
          .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.FAIL);
      TaskError error = requireNonNull(reports.get(2).error(), "the FAIL report's error");
      assertThat(error.code()).isEqualTo(ErrorCode.TASK_FAILED);
      assertThat(error.message()).contains("refused this");
      assertThatThrownBy(() -> result.await(awaitBound()))
          .isInstanceOfSatisfying(
              TaskFailedException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.TASK_FAILED);
                assertThat(e.key()).isEqualTo(result.key());
              });
    }
  }

  /**
   * Trace context crosses the transport: a call with an explicit {@link TraceParent} runs as a
   * child span of it ({@link TaskContext#trace()} has the caller's trace id and a span id of its
   * own), and a call made from inside that task continues the same trace with a span of its own.
   */
  @Test
  public void traceContextCrossesTheTransportAndNestedCallsContinueIt() throws Exception {
    String outer = taskName("trace-outer");
    String inner = taskName("trace-inner");
    TraceParent given =
        TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    Map<String, TraceParent> seen = new java.util.concurrent.ConcurrentHashMap<>();
    try (TaskApp app = newApp()) {
      app.register(
          inner,
          int.class,
          int.class,
          n -> {
            seen.put("inner", TaskContext.current().orElseThrow().trace());
            return n + 1;
          });
      app.register(
          outer,
          int.class,
          int.class,
          n -> {
            seen.put("outer", TaskContext.current().orElseThrow().trace());
            Object value = app.call(inner, n).await(awaitBound());
            return requireNonNull((Integer) value) * 10;
          });
      // Two workers each: in a shared-queue layout either allocation may take the inner call.
      app.allocate(inner, 2, 1);
      app.allocate(outer, 2, 1);

      Object value =
          app.call(outer, TaskOptions.builder().traceparent(given).build(), 4).await(awaitBound());

      assertThat(value).isEqualTo(50);
      TraceParent outerSpan = requireNonNull(seen.get("outer"));
      TraceParent innerSpan = requireNonNull(seen.get("inner"));
      assertThat(outerSpan.traceId()).as("the outer attempt's trace").isEqualTo(given.traceId());
      assertThat(outerSpan.parentId())
          .as("the outer attempt's span")
          .isNotEqualTo(given.parentId());
      assertThat(innerSpan.traceId()).as("the nested call's trace").isEqualTo(given.traceId());
      assertThat(innerSpan.parentId())
          .as("the nested attempt's span")
          .isNotEqualTo(outerSpan.parentId())
          .isNotEqualTo(given.parentId());
    }
  }

  /**
   * S2: twelve task names, each numbering its calls with its own sequential id maker (so ids
   * collide across names), each served by 5 workers sharing a report lane per 3. Twelve threads
   * make 5 calls each of f(n, s) = Reply(n + 1000, "the msg: " + s): all 60 results are correct,
   * each name's ids are 1 to 5, and no result reaches another name's call.
   */
  @Test
  public void idsThatCollideAcrossNamesKeepTheirResultsApart() throws Exception {
    int names = 12;
    int calls = 5;
    try (TaskApp app = newApp();
        ExecutorService callers = Executors.newFixedThreadPool(names)) {
      List<String> taskNames = new ArrayList<>();
      for (int i = 0; i < names; i++) {
        String name = taskName("same." + i);
        taskNames.add(name);
        app.register(
            name,
            int.class,
            String.class,
            Reply.class,
            (n, s) -> new Reply(n + 1000, "the msg: " + s));
        app.addIdMaker(IdMakers.FIRST_USER_ID + i, IdMakers.sequential());
        app.setIdMaker(name, IdMakers.FIRST_USER_ID + i);
        app.allocate(name, 5, 3);
      }
      List<CompletableFuture<Set<String>>> idsPerName = new ArrayList<>();
      for (int i = 0; i < names; i++) {
        int caller = i;
        String name = taskNames.get(i);
        idsPerName.add(
            CompletableFuture.supplyAsync(() -> callAndCheck(app, name, caller, calls), callers));
      }
      Map<String, Set<String>> ids = new TreeMap<>();
      for (int i = 0; i < names; i++) {
        ids.put(
            taskNames.get(i),
            Contracts.join(
                idsPerName.get(i),
                awaitBound().multipliedBy(calls + 1),
                "the calls of " + taskNames.get(i)));
      }
      Set<String> oneToFive = new TreeSet<>(List.of("1", "2", "3", "4", "5"));
      assertThat(ids.values()).as("ids of each name's calls").allMatch(oneToFive::equals);
    }
  }

  /** Makes {@code calls} calls of {@code name}, then checks each; returns the ids they got. */
  private Set<String> callAndCheck(TaskApp app, String name, int caller, int calls) {
    List<Result<@Nullable Object>> results = new ArrayList<>();
    for (int j = 0; j < calls; j++) {
      results.add(app.call(name, caller * 100 + j, name + "/" + j));
    }
    Set<String> ids = new TreeSet<>();
    for (int j = 0; j < calls; j++) {
      Result<@Nullable Object> result = results.get(j);
      Object value;
      try {
        value = result.await(awaitBound());
      } catch (Exception e) {
        throw new AssertionError("call " + j + " of " + name + " (" + result.key() + "): " + e, e);
      }
      assertThat(result.key().name()).isEqualTo(name);
      assertThat(value)
          .as("value of call %d of %s (%s)", j, name, result.key())
          .isEqualTo(new Reply(caller * 100 + j + 1000, "the msg: " + name + "/" + j));
      ids.add(result.key().id());
    }
    return ids;
  }
}
