package dev.baton.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.h2.jdbcx.JdbcDataSource;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.configuration.JobRunrConfiguration.JobRunrConfigurationResult;
import org.jobrunr.jobs.Job;
import org.jobrunr.jobs.filters.ApplyStateFilter;
import org.jobrunr.jobs.states.JobState;
import org.jobrunr.jobs.states.StateName;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.InMemoryStorageProvider;
import org.jobrunr.storage.StorageProvider;
import org.jobrunr.storage.sql.h2.H2StorageProvider;
import org.jspecify.annotations.Nullable;

/**
 * JobRunr 8.7.0 doing the local task round trip of {@link LocalTaskRoundTripBenchmark}: jobs {@code
 * Adder.add(1, 2)} enqueued through a {@link JobScheduler} with 1,000 in flight, run by a
 * background job server of {@value #WORKERS} workers in the same JVM, on JobRunr's in-memory
 * storage and on an embedded in-memory H2 database. JobRunr is a polling scheduler, so this is a
 * plain program counting jobs over wall-clock seconds rather than a JMH benchmark.
 *
 * <p>A closed loop like the benchmark's: a feeding thread enqueues a job whenever one of the 1,000
 * slots is free, and a slot frees when JobRunr has saved the job's Succeeded state to storage and
 * told the job filters so ({@link ApplyStateFilter#onStateApplied}); that is when the job counts as
 * a round trip. The job body counts its own runs as a check. Poll intervals are the smallest
 * JobRunr accepts: 200 ms for in-memory storage, 5 s for SQL databases.
 *
 * <p>Each round runs on a fresh JobRunr (new storage, new background job server, started before the
 * clock starts), so a round does not pay for the succeeded jobs of the rounds before it (both
 * storages keep them for 36 hours by default, and the in-memory storage's polls slow down as they
 * pile up). A round fills the window, lets it run for the warm-up seconds, then counts the jobs
 * that succeed during the measured seconds.
 *
 * <pre>
 * java -cp baton-bench/target/benchmarks.jar dev.baton.bench.JobRunrLocalHarness \
 *     [in-memory|h2|all] [rounds] [warm-up seconds] [measured seconds]
 * </pre>
 *
 * <p>Prints each round and a summary line per storage ({@code jobrunr <storage>: median ...
 * jobs/s}).
 */
public final class JobRunrLocalHarness {
  static final int IN_FLIGHT = 1_000;
  static final int WORKERS = 2;
  static final Duration IN_MEMORY_POLL = Duration.ofMillis(200);
  static final Duration SQL_POLL = Duration.ofSeconds(5);
  private static final AtomicLong DATABASES = new AtomicLong();

  /** The job's class: a static method, which JobRunr calls without a job activator. */
  public static final class Adder {
    static final LongAdder BODIES_RUN = new LongAdder();

    private Adder() {}

    /** The task: counts its run and returns the sum. */
    public static int add(int a, int b) {
      BODIES_RUN.increment();
      return a + b;
    }
  }

  /** Counts jobs saved as Succeeded (or Failed) and frees their slot of the window. */
  static final class OutcomeCounter implements ApplyStateFilter {
    final Semaphore window = new Semaphore(IN_FLIGHT);
    final AtomicLong succeeded = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    @Override
    public void onStateApplied(Job job, @Nullable JobState oldState, JobState newState) {
      if (newState.getName() == StateName.SUCCEEDED) {
        succeeded.incrementAndGet();
        window.release();
      } else if (newState.getName() == StateName.FAILED) {
        failed.incrementAndGet();
        window.release();
      }
    }
  }

  /** A storage to measure: its name, how to make a fresh one, and its poll interval. */
  record Storage(String name, Supplier<StorageProvider> fresh, Duration pollInterval) {}

  /** What one round counted. */
  record Round(long jobs, long nanos) {
    double jobsPerSecond() {
      return jobs * 1e9 / nanos;
    }
  }

  private JobRunrLocalHarness() {}

  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "all";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Duration warmUp = Duration.ofSeconds(args.length > 2 ? Integer.parseInt(args[2]) : 15);
    Duration measured = Duration.ofSeconds(args.length > 3 ? Integer.parseInt(args[3]) : 30);
    System.out.printf(
        Locale.ROOT,
        "# JobRunr 8.7.0: %d workers, %d jobs in flight, %d rounds per storage, each on a fresh"
            + " JobRunr: %d s warm-up + %d s measured%n",
        WORKERS,
        IN_FLIGHT,
        rounds,
        warmUp.toSeconds(),
        measured.toSeconds());
    if (which.equals("in-memory") || which.equals("all")) {
      run(
          new Storage("in-memory", InMemoryStorageProvider::new, IN_MEMORY_POLL),
          rounds,
          warmUp,
          measured);
    }
    if (which.equals("h2") || which.equals("all")) {
      run(new Storage("h2", JobRunrLocalHarness::freshH2, SQL_POLL), rounds, warmUp, measured);
    }
  }

  private static StorageProvider freshH2() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:jobrunr" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    dataSource.setUser("sa");
    dataSource.setPassword("");
    return new H2StorageProvider(dataSource);
  }

  private static void run(Storage storage, int rounds, Duration warmUp, Duration measured)
      throws InterruptedException {
    System.out.printf(
        Locale.ROOT,
        "# %s: poll interval %d ms%n",
        storage.name(),
        storage.pollInterval().toMillis());
    List<Round> done = new ArrayList<>();
    for (int i = 1; i <= rounds; i++) {
      done.add(round(storage, i, warmUp, measured));
    }
    double[] rates = done.stream().mapToDouble(Round::jobsPerSecond).sorted().toArray();
    double median =
        rates.length % 2 == 1
            ? rates[rates.length / 2]
            : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2;
    System.out.printf(
        Locale.ROOT,
        "jobrunr %s: median %.1f jobs/s (min %.1f, max %.1f) over %d rounds%n",
        storage.name(),
        median,
        rates[0],
        rates[rates.length - 1],
        rates.length);
  }

  private static Round round(Storage storage, int number, Duration warmUp, Duration measured)
      throws InterruptedException {
    StorageProvider provider = storage.fresh().get();
    OutcomeCounter counter = new OutcomeCounter();
    JobRunrConfigurationResult configured =
        JobRunr.configure()
            .useStorageProvider(provider)
            .withJobFilter(counter)
            .useBackgroundJobServer(
                BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                    .andWorkerCount(WORKERS)
                    .andPollInterval(storage.pollInterval()))
            .initialize();
    AtomicBoolean feeding = new AtomicBoolean(true);
    AtomicLong enqueued = new AtomicLong();
    AtomicReference<@Nullable Throwable> feederFailure = new AtomicReference<>();
    Thread feeder = null;
    try {
      awaitRunning(configured.getBackgroundJobServer(), storage.name());
      JobScheduler scheduler = configured.getJobScheduler();
      feeder =
          Thread.ofPlatform()
              .name("jobrunr-feeder")
              .start(() -> feed(scheduler, counter, feeding, enqueued, feederFailure));
      Thread.sleep(warmUp.toMillis());
      long succeededBefore = counter.succeeded.get();
      long bodiesBefore = Adder.BODIES_RUN.sum();
      long start = System.nanoTime();
      Thread.sleep(measured.toMillis());
      long succeeded = counter.succeeded.get() - succeededBefore;
      long nanos = System.nanoTime() - start;
      long bodies = Adder.BODIES_RUN.sum() - bodiesBefore;
      Throwable failure = feederFailure.get();
      if (failure != null) {
        throw new IllegalStateException(storage.name() + ": enqueueing failed", failure);
      }
      if (counter.failed.get() > 0) {
        throw new IllegalStateException(
            storage.name() + ": " + counter.failed.get() + " jobs failed");
      }
      Round round = new Round(succeeded, nanos);
      System.out.printf(
          Locale.ROOT,
          "%s round %d: %d jobs succeeded in %.3f s = %.1f jobs/s (%d bodies ran; %d enqueued since"
              + " the start)%n",
          storage.name(),
          number,
          succeeded,
          nanos / 1e9,
          round.jobsPerSecond(),
          bodies,
          enqueued.get());
      return round;
    } finally {
      feeding.set(false);
      if (feeder != null) {
        feeder.join();
      }
      JobRunr.destroy();
      provider.close();
    }
  }

  /** Keeps {@value #IN_FLIGHT} jobs in flight until {@code feeding} turns false. */
  private static void feed(
      JobScheduler scheduler,
      OutcomeCounter counter,
      AtomicBoolean feeding,
      AtomicLong enqueued,
      AtomicReference<@Nullable Throwable> failure) {
    try {
      while (feeding.get()) {
        if (counter.window.tryAcquire(10, TimeUnit.MILLISECONDS)) {
          scheduler.enqueue(() -> Adder.add(1, 2));
          enqueued.incrementAndGet();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure.set(e);
    }
  }

  private static void awaitRunning(BackgroundJobServer server, String name)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!server.isRunning() || server.isNotReadyToProcessJobs()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(name + ": background job server did not start in 60 s");
      }
      Thread.sleep(10);
    }
  }
}
