package dev.baton.testkit;

import static dev.baton.testkit.Contracts.join;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.Progress;
import dev.baton.tasks.ReportStatus;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.ReportPublisher;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.tasks.spi.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a result backend: a {@link ReportPublisher} (workers' side) and a {@link
 * ReportStore} (callers' side). It re-creates the seed's BackendTestSuite (K1 reports written
 * before the poll are kept and arrive identical, K2 reports of each task arrive in order, K3 ids
 * that collide across task names never mix, K4 roles the backend does not implement are refused)
 * and adds what the SPI promises beyond the seed: live streaming after the poll, reports that
 * outlive {@link ReportStore#done} for later callers, concurrent polls of one call, and idempotency
 * claims.
 *
 * <h2>How an adapter uses it</h2>
 *
 * <p>Extend it in the adapter's tests and implement {@link #reporter()} and {@link #store()} (the
 * same object for most backends); open and close the backend in your own {@code @BeforeEach}/
 * {@code @AfterEach}. The suite calls the factory methods only from test bodies and cancels every
 * poll it opened before the test method returns.
 *
 * <pre>{@code
 * class RedisBackendContractTest extends BackendContract {
 *   private RedisBackend backend;
 *
 *   @BeforeEach
 *   void connect() { backend = RedisBackend.connect(REDIS_URI); }
 *
 *   @AfterEach
 *   void disconnect() { backend.close(); }
 *
 *   @Override protected ReportPublisher reporter() { return backend; }
 *   @Override protected ReportStore store() { return backend; }
 * }
 * }</pre>
 *
 * <p>Optional hooks: {@link #newNamePrefix()} (task names of one test never collide with another's
 * on a shared backend; {@link #namePrefix()} tells your {@code @AfterEach} what to delete), {@link
 * #now()} (the backend's clock, if not the system's; reports expire a day after it) and {@link
 * #awaitBound()}. Every wait is bounded; no test sleeps.
 */
public abstract class BackendContract {

  private String prefix = "";

  /** For subclasses: the adapter's test class. */
  protected BackendContract() {}

  /** The publisher under test. Called from test bodies only, possibly many times. */
  protected abstract ReportPublisher reporter();

  /**
   * The store under test, reading what {@link #reporter()} publishes; usually the same object.
   * Called from test bodies only, possibly many times.
   */
  protected abstract ReportStore store();

  /**
   * A fresh task-name prefix for one test, so tests never see each other's reports on a shared
   * backend; called before each test. By default {@code "ct"}, 8 random hex digits and a dot.
   */
  protected String newNamePrefix() {
    return Contracts.uniquePrefix();
  }

  /** How long any single wait of a test may take before the test fails. 10 seconds. */
  protected Duration awaitBound() {
    return Duration.ofSeconds(10);
  }

  /**
   * The backend's current time: reports are made at it and expire a day after it. The system clock
   * by default; override when the backend runs on another {@code TimeSource}.
   */
  protected Instant now() {
    return Instant.now();
  }

  /** The current test's task-name prefix (for an {@code @AfterEach} that deletes its keys). */
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

  // ---- the seed's K1-K4 ----

  /**
   * K1: before-report, then a SENT report is stored, and only then is the call polled: the report
   * written before the poll is kept and arrives identical. Done ends the poll.
   */
  @Test
  public void reportStoredBeforeThePollArrivesIdentical() throws Exception {
    TaskKey key = new TaskKey(taskName("basic"), "1");
    reporter().beforeReport(key);
    ReportEnvelope sent = report(key, ReportStatus.SENT);
    publish(sent);
    Sink sink = new Sink();
    Subscription poll = store().poll(key, sink);
    try {
      Contracts.assertSameReport(sink.next(awaitBound(), "the SENT report of " + key), sent);
      store().done(key);
    } finally {
      poll.cancel();
    }
  }

  /**
   * K2: 100 calls each store SENT, PROGRESS and SUCCESS, concurrently and before anyone polls.
   * Polling each call yields exactly its three reports, in order, with its own key.
   */
  @Test
  public void reportsOfEachCallArriveInTheOrderTheyWereStored() throws Exception {
    List<TaskKey> keys = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      keys.add(new TaskKey(taskName("order"), Integer.toString(i)));
    }
    List<List<ReportEnvelope>> published = publishConcurrently(keys);
    for (int i = 0; i < keys.size(); i++) {
      assertPollYields(keys.get(i), published.get(i));
    }
  }

  /**
   * K3: ten task names with ten calls each, where every name numbers its calls 1 to 10, so ids
   * collide across names. Each call's reports (and its return value) stay its own.
   */
  @Test
  public void sameIdsUnderDifferentNamesNeverMix() throws Exception {
    List<TaskKey> keys = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      String name = taskName("same." + n);
      for (int id = 1; id <= 10; id++) {
        keys.add(new TaskKey(name, Integer.toString(id)));
      }
    }
    List<List<ReportEnvelope>> published = publishConcurrently(keys);
    for (int i = 0; i < keys.size(); i++) {
      assertPollYields(keys.get(i), published.get(i));
    }
  }

  /**
   * K4: a remote app refuses to attach the backend as a producer, consumer or named consumer (one
   * role at a time and all together); attached without roles it is found to be a reporter and a
   * store.
   */
  @Test
  public void backendIsRefusedForRolesItDoesNotImplement() {
    Set<Role> notBackendRoles = EnumSet.of(Role.PRODUCER, Role.CONSUMER, Role.NAMED_CONSUMER);
    Object reporter = reporter();
    Object store = store();
    Contracts.assertRefusesMissingRoles(reporter, notBackendRoles);
    if (!Contracts.sameObject(store, reporter)) {
      Contracts.assertRefusesMissingRoles(store, notBackendRoles);
    }
    try (TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).build()) {
      Set<Role> detected = app.use(reporter);
      assertThat(detected).as("roles detected on the reporter").contains(Role.REPORTER);
      if (Contracts.sameObject(store, reporter)) {
        assertThat(detected).as("roles detected on the backend").contains(Role.STORE);
      }
    }
    if (!Contracts.sameObject(store, reporter)) {
      try (TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).build()) {
        assertThat(app.use(store)).as("roles detected on the store").contains(Role.STORE);
      }
    }
  }

  // ---- beyond the seed ----

  /** Reports stored after the poll began stream to it live, in order. */
  @Test
  public void reportsStoredAfterThePollStreamToItInOrder() throws Exception {
    TaskKey key = new TaskKey(taskName("live"), "1");
    Sink sink = new Sink();
    Subscription poll = store().poll(key, sink);
    try {
      reporter().beforeReport(key);
      List<ReportEnvelope> sent = threeReports(key);
      for (ReportEnvelope report : sent) {
        publish(report);
      }
      assertReports(sink.take(3, awaitBound(), "the reports of " + key), sent);
      store().done(key);
    } finally {
      poll.cancel();
    }
  }

  /**
   * After one caller is done with a call, its stored reports stay (until their expiry) for a later
   * caller that shares its idempotency key: a new poll gets them all again.
   */
  @Test
  public void storedReportsOutliveDoneForLaterPolls() throws Exception {
    TaskKey key = new TaskKey(taskName("kept"), "1");
    reporter().beforeReport(key);
    List<ReportEnvelope> sent = threeReports(key);
    for (ReportEnvelope report : sent) {
      publish(report);
    }
    assertPollYields(key, sent);
    assertPollYields(key, sent);
  }

  /** Two polls of one call at the same time each receive every report, in order. */
  @Test
  public void concurrentPollsOfOneCallEachReceiveEveryReport() throws Exception {
    TaskKey key = new TaskKey(taskName("twice"), "1");
    Sink first = new Sink();
    Sink second = new Sink();
    Subscription firstPoll = store().poll(key, first);
    Subscription secondPoll = store().poll(key, second);
    try {
      reporter().beforeReport(key);
      List<ReportEnvelope> sent = threeReports(key);
      for (ReportEnvelope report : sent) {
        publish(report);
      }
      assertReports(first.take(3, awaitBound(), "the first poll of " + key), sent);
      assertReports(second.take(3, awaitBound(), "the second poll of " + key), sent);
      store().done(key);
    } finally {
      firstPoll.cancel();
      secondPoll.cancel();
    }
  }

  /**
   * An idempotency key is held by the first call that claims it: later claims get that call's id.
   * Keys are scoped to the task name.
   */
  @Test
  public void idempotencyClaimReturnsTheFirstCallsIdPerTaskName() {
    String name = taskName("idem");
    Duration ttl = Duration.ofHours(1);
    ReportStore store = store();
    assertThat(store.claimIdempotencyKey(name, "key", "id-1", ttl))
        .as("first claim")
        .isEqualTo("id-1");
    assertThat(store.claimIdempotencyKey(name, "key", "id-2", ttl))
        .as("second claim of the same key")
        .isEqualTo("id-1");
    assertThat(store.claimIdempotencyKey(name, "key", "id-1", ttl))
        .as("the winner claiming again")
        .isEqualTo("id-1");
    assertThat(store.claimIdempotencyKey(taskName("idem.other"), "key", "id-3", ttl))
        .as("the same key under another task name")
        .isEqualTo("id-3");
    assertThat(store.claimIdempotencyKey(name, "other-key", "id-4", ttl))
        .as("another key under the same name")
        .isEqualTo("id-4");
  }

  /** Claims of one idempotency key racing from many threads all agree on one of the claimants. */
  @Test
  public void racingIdempotencyClaimsAgreeOnOneWinner() throws Exception {
    String name = taskName("race");
    int claimants = 16;
    ReportStore store = store();
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<String>> claims = new ArrayList<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(claimants)) {
      for (int i = 0; i < claimants; i++) {
        String candidate = "id-" + i;
        claims.add(
            CompletableFuture.supplyAsync(
                () -> {
                  awaitQuietly(start);
                  return store.claimIdempotencyKey(name, "key", candidate, Duration.ofHours(1));
                },
                threads));
      }
      start.countDown();
      Set<String> winners = new HashSet<>();
      for (CompletableFuture<String> claim : claims) {
        winners.add(join(claim, awaitBound(), "a racing claim"));
      }
      assertThat(winners).as("ids the racing claims returned").hasSize(1);
      assertThat(winners.iterator().next()).startsWith("id-");
    }
  }

  // ---- helpers ----

  /** A report of {@code key} made now, expiring in a day, with the fields its status carries. */
  protected final ReportEnvelope report(TaskKey key, ReportStatus status) {
    Instant at = now();
    byte @Nullable [] value =
        status == ReportStatus.SUCCESS ? ("\"" + key + "\"").getBytes(UTF_8) : null;
    @Nullable TaskError error =
        status == ReportStatus.FAIL || status == ReportStatus.RETRY
            ? new TaskError(ErrorCode.TASK_FAILED, key + " failed")
            : null;
    @Nullable Progress progress =
        status == ReportStatus.PROGRESS ? new Progress(50, "half of " + key) : null;
    return new ReportEnvelope(
        EnvelopeCodec.VERSION,
        key,
        status,
        1,
        Marshallers.JSON,
        value,
        error,
        progress,
        at,
        at.plus(Duration.ofDays(1)));
  }

  private List<ReportEnvelope> threeReports(TaskKey key) {
    return List.of(
        report(key, ReportStatus.SENT),
        report(key, ReportStatus.PROGRESS),
        report(key, ReportStatus.SUCCESS));
  }

  private void publish(ReportEnvelope report) throws InterruptedException {
    join(
        reporter().publish(report, store().replyAddress()),
        awaitBound(),
        "publishing " + report.status() + " of " + report.key());
  }

  /**
   * Stores SENT, PROGRESS and SUCCESS of every key, each call on its own thread (each report after
   * the previous one is stored, as a worker does), all calls at once.
   */
  private List<List<ReportEnvelope>> publishConcurrently(List<TaskKey> keys) throws Exception {
    List<List<ReportEnvelope>> published = new ArrayList<>();
    for (TaskKey key : keys) {
      published.add(threeReports(key));
    }
    ReportPublisher reporter = reporter();
    @Nullable String replyTo = store().replyAddress();
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < keys.size(); i++) {
        TaskKey key = keys.get(i);
        List<ReportEnvelope> reports = published.get(i);
        workers.add(
            CompletableFuture.runAsync(
                () -> {
                  awaitQuietly(start);
                  reporter.beforeReport(key);
                  for (ReportEnvelope report : reports) {
                    reporter.publish(report, replyTo).toCompletableFuture().join();
                  }
                },
                threads));
      }
      start.countDown();
      join(
          CompletableFuture.allOf(workers.toArray(new CompletableFuture<?>[0])),
          awaitBound(),
          "publishing the reports of " + keys.size() + " calls");
    }
    return published;
  }

  /** Polls {@code key} and asserts exactly {@code expected} arrives, in order; then done. */
  private void assertPollYields(TaskKey key, List<ReportEnvelope> expected) throws Exception {
    Sink sink = new Sink();
    Subscription poll = store().poll(key, sink);
    try {
      assertReports(sink.take(expected.size(), awaitBound(), "the reports of " + key), expected);
      assertThat(sink.extra())
          .as("reports of %s beyond the %d stored", key, expected.size())
          .isEmpty();
      store().done(key);
    } finally {
      poll.cancel();
    }
  }

  private static void assertReports(List<ReportEnvelope> actual, List<ReportEnvelope> expected) {
    assertThat(actual.stream().map(ReportEnvelope::status))
        .as("statuses of %s", expected.get(0).key())
        .containsExactlyElementsOf(expected.stream().map(ReportEnvelope::status).toList());
    for (int i = 0; i < expected.size(); i++) {
      Contracts.assertSameReport(actual.get(i), expected.get(i));
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Decodes what a poll streams, in arrival order; a report that does not decode is recorded. */
  private static final class Sink implements Consumer<byte[]> {
    private final LinkedBlockingQueue<ReportEnvelope> received = new LinkedBlockingQueue<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    @Override
    public void accept(byte[] bytes) {
      try {
        received.add(EnvelopeCodec.decodeReport(bytes));
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }

    ReportEnvelope next(Duration bound, String what) throws InterruptedException {
      return take(1, bound, what).get(0);
    }

    /** Reports that arrived and were not taken. */
    List<ReportEnvelope> extra() {
      List<ReportEnvelope> extra = new ArrayList<>();
      received.drainTo(extra);
      return extra;
    }

    List<ReportEnvelope> take(int count, Duration bound, String what) throws InterruptedException {
      List<ReportEnvelope> taken = new ArrayList<>(count);
      long deadline = System.nanoTime() + bound.toNanos();
      while (taken.size() < count) {
        @Nullable ReportEnvelope next =
            received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (next == null) {
          throw new AssertionError(
              "waiting for "
                  + what
                  + ": "
                  + taken.size()
                  + " of "
                  + count
                  + " reports arrived within "
                  + bound
                  + " (statuses "
                  + taken.stream().map(ReportEnvelope::status).toList()
                  + ")"
                  + (failures.isEmpty() ? "" : "; undecodable reports: " + failures));
        }
        taken.add(next);
      }
      assertThat(failures).as("reports that did not decode").isEmpty();
      return taken;
    }
  }
}
