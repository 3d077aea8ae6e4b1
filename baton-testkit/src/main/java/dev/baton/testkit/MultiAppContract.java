package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.IdMakers;
import dev.baton.tasks.Report;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.Result;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of separate caller and worker {@link TaskApp}s sharing a broker and a backend, as
 * the seed's DingoMultiAppTestSuite: M1 each call's reports arrive SENT, PROGRESS, SUCCESS with one
 * key and the right return value; M2 callers that each number their own task's calls from 1 get
 * their own results. Callers do not register the tasks: they call with the return type ({@link
 * TaskApp#call(String, java.lang.reflect.Type, TaskOptions, Object...)}), as a client of a remote
 * service does.
 *
 * <h2>How an adapter uses it</h2>
 *
 * <p>Extend it and implement {@link #newCallerApp()} (a remote app with a producer and a store
 * attached) and {@link #newWorkerApp()} (a remote app with a consumer and a reporter attached), all
 * sharing one broker and one backend, or connections to the same servers. Each test creates {@link
 * #workers()} worker apps and {@link #callers()} caller apps (3 and 3 by default; the seed ran 1
 * caller and 3 workers locally) and closes them all before it returns; close the adapters in your
 * own {@code @AfterEach}.
 *
 * <pre>{@code
 * class RedisMultiAppTest extends MultiAppContract {
 *   // open a RedisBroker and a RedisBackend in @BeforeEach, close them in @AfterEach
 *
 *   @Override
 *   protected TaskApp newCallerApp() {
 *     TaskApp app = TaskApp.remote();
 *     app.use(broker, Role.PRODUCER);
 *     app.use(backend, Role.STORE);
 *     return app;
 *   }
 *
 *   @Override
 *   protected TaskApp newWorkerApp() {
 *     TaskApp app = TaskApp.remote();
 *     app.use(broker, Role.NAMED_CONSUMER);
 *     app.use(backend, Role.REPORTER);
 *     return app;
 *   }
 * }
 * }</pre>
 *
 * <p>Task names carry a per-test prefix ({@link #newNamePrefix()}). Values travel as the public
 * record {@link Pair}, which Jackson reads because this module's package is open. Every wait is
 * bounded by {@link #awaitBound()}; no test sleeps.
 */
public abstract class MultiAppContract {

  /** What the task of M1 and M2 returns: f(n, s) = Pair(n + 1, s + "b"). */
  public record Pair(int n, String s) {}

  private static final TaskOptions MONITORED = TaskOptions.builder().monitorProgress(true).build();
  private static final int CALLS = 5;

  private String prefix = "";

  /** For subclasses: the adapter's test class. */
  protected MultiAppContract() {}

  /** A new remote app that calls (a producer and a store attached). The test closes it. */
  protected abstract TaskApp newCallerApp();

  /** A new remote app that works (a consumer and a reporter attached). The test closes it. */
  protected abstract TaskApp newWorkerApp();

  /** Caller apps per test. 3. */
  protected int callers() {
    return 3;
  }

  /** Worker apps per test. 3. */
  protected int workers() {
    return 3;
  }

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
   * M1: every worker app serves f(n, s) = Pair(n + 1, s + "b"); each caller app makes 5 monitored
   * calls, all callers at once. Each call's reports are exactly SENT, PROGRESS, SUCCESS, all with
   * the call's name and id, and its value is right.
   */
  @Test
  public void eachCallReportsSentProgressSuccessUnderItsOwnKey() throws Exception {
    String name = taskName("pair");
    try (Apps apps = new Apps()) {
      for (int w = 0; w < workers(); w++) {
        TaskApp worker = apps.add(newWorkerApp());
        registerPair(worker, name);
        worker.allocate(name, 2, 0);
      }
      List<TaskApp> callerApps = new ArrayList<>();
      for (int c = 0; c < callers(); c++) {
        callerApps.add(apps.add(newCallerApp()));
      }
      runCallers(
          callerApps,
          c -> {
            TaskApp caller = callerApps.get(c);
            List<Result<Pair>> results = new ArrayList<>();
            List<Contracts.ReportCollector> streams = new ArrayList<>();
            for (int j = 0; j < CALLS; j++) {
              Result<Pair> result = caller.call(name, Pair.class, MONITORED, c * 100 + j, s(c, j));
              results.add(result);
              streams.add(Contracts.subscribe(result.reports()));
            }
            for (int j = 0; j < CALLS; j++) {
              Result<Pair> result = results.get(j);
              Contracts.ReportCollector stream = streams.get(j);
              Pair expected = new Pair(c * 100 + j + 1, s(c, j) + "b");
              List<Report> reports =
                  uninterrupted(
                      () -> Contracts.await(stream, awaitBound(), result.key().toString()));
              assertThat(result.key().name()).isEqualTo(name);
              assertThat(reports)
                  .as("reports of %s", result.key())
                  .extracting(Report::status)
                  .containsExactly(ReportStatus.SENT, ReportStatus.PROGRESS, ReportStatus.SUCCESS);
              assertThat(reports)
                  .as("keys of the reports of %s", result.key())
                  .extracting(Report::key)
                  .containsOnly(result.key());
              assertThat(reports.get(2).value())
                  .as("value of %s", result.key())
                  .isEqualTo(expected);
              assertThat(uninterrupted(() -> result.await(awaitBound()))).isEqualTo(expected);
            }
            return Set.of();
          });
    }
  }

  /**
   * M2: each caller app calls its own task name, numbering its calls with its own sequential id
   * maker (so ids collide across names); every worker app serves every name. Five calls per caller,
   * all callers at once: every value is right and each name's ids are 1 to 5.
   */
  @Test
  public void callersWithCollidingIdsGetTheirOwnResults() throws Exception {
    List<String> names = new ArrayList<>();
    for (int c = 0; c < callers(); c++) {
      names.add(taskName("caller." + c));
    }
    try (Apps apps = new Apps()) {
      for (int w = 0; w < workers(); w++) {
        TaskApp worker = apps.add(newWorkerApp());
        for (String name : names) {
          registerPair(worker, name);
          worker.allocate(name, 2, 0);
        }
      }
      List<TaskApp> callerApps = new ArrayList<>();
      for (int c = 0; c < callers(); c++) {
        TaskApp caller = apps.add(newCallerApp());
        caller.addIdMaker(IdMakers.FIRST_USER_ID, IdMakers.sequential());
        caller.setIdMaker(names.get(c), IdMakers.FIRST_USER_ID);
        callerApps.add(caller);
      }
      List<Set<String>> ids =
          runCallers(
              callerApps,
              c -> {
                String name = names.get(c);
                List<Result<Pair>> results = new ArrayList<>();
                for (int j = 0; j < CALLS; j++) {
                  results.add(
                      callerApps
                          .get(c)
                          .call(name, Pair.class, TaskOptions.DEFAULTS, j, name + "/" + j));
                }
                Set<String> got = new TreeSet<>();
                for (int j = 0; j < CALLS; j++) {
                  Result<Pair> result = results.get(j);
                  assertThat(uninterrupted(() -> result.await(awaitBound())))
                      .as("value of %s", result.key())
                      .isEqualTo(new Pair(j + 1, name + "/" + j + "b"));
                  assertThat(result.key().name()).isEqualTo(name);
                  got.add(result.key().id());
                }
                return got;
              });
      assertThat(ids)
          .as("ids of each caller's calls")
          .allMatch(Set.of("1", "2", "3", "4", "5")::equals);
    }
  }

  private static void registerPair(TaskApp worker, String name) {
    worker.register(name, int.class, String.class, Pair.class, (n, s) -> new Pair(n + 1, s + "b"));
  }

  private static String s(int caller, int call) {
    return "c" + caller + "." + call;
  }

  /** Runs {@code body} for every caller index on its own thread, all at once; their returns. */
  private List<Set<String>> runCallers(
      List<TaskApp> callerApps, Function<Integer, Set<String>> body) throws InterruptedException {
    List<CompletableFuture<Set<String>>> runs = new ArrayList<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(callerApps.size())) {
      for (int c = 0; c < callerApps.size(); c++) {
        int caller = c;
        runs.add(CompletableFuture.supplyAsync(() -> body.apply(caller), threads));
      }
      List<Set<String>> returns = new ArrayList<>();
      for (int c = 0; c < runs.size(); c++) {
        returns.add(
            Contracts.join(
                runs.get(c), awaitBound().multipliedBy(CALLS + 1), "the calls of caller " + c));
      }
      return returns;
    }
  }

  /** A wait that may throw, run where checked exceptions cannot pass. */
  @FunctionalInterface
  private interface Wait<T> {
    T get() throws Exception;
  }

  private static <T> T uninterrupted(Wait<T> wait) {
    try {
      return wait.get();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new AssertionError(e.toString(), e);
    }
  }

  /** Closes the apps of a test, the last created (the callers) first. */
  private static final class Apps implements AutoCloseable {
    private final List<TaskApp> open = new ArrayList<>();

    TaskApp add(TaskApp app) {
      open.add(app);
      return app;
    }

    @Override
    public void close() {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
    }
  }
}
