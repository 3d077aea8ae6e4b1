package dev.baton.bench;

import dev.baton.tasks.Result;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The local task round trip with 1,000 calls in flight: a caller calls {@code add(1, 2)}, a worker
 * runs it, the outcome comes back to the caller, and the caller calls again. Baton's local mode
 * against the ceiling, a bare {@link ExecutorService} and {@link CompletableFuture#supplyAsync}
 * doing the same, each with {@value #WORKERS} worker threads (the machine's cores). JobRunr, a
 * polling job scheduler measured in jobs per second, has its own harness ({@link
 * JobRunrLocalHarness}) run beside this one by {@code scripts/bench}.
 *
 * <p>Each invocation starts 1,000 call chains (long-lived objects, reused across invocations); each
 * chain makes {@value #ROUND_TRIPS_EACH} calls one after another, issuing the next from the
 * completion callback of the one before (a closed loop: 1,000 calls in flight until the chains run
 * out). JMH divides by {@value #ROUND_TRIPS}, so the score is round trips per second and {@code
 * -prof gc}'s {@code gc.alloc.rate.norm} is bytes per round trip, caller and worker together.
 *
 * <p>A Baton round trip counts when the call's {@link Result} has its outcome, that is when the
 * final report (Success) has reached the caller and its {@code onSuccess} callback runs; a bare
 * round trip counts when the future's {@code whenComplete} callback runs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 3,
    jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Xmx2g"})
public class LocalTaskRoundTripBenchmark {
  static final int IN_FLIGHT = 1_000;
  static final int ROUND_TRIPS_EACH = 100;
  static final int ROUND_TRIPS = IN_FLIGHT * ROUND_TRIPS_EACH;
  static final int WORKERS = 2;
  private static final Integer SUM = 3;
  private static final long WAIT_SECONDS = 60;

  /** One invocation's progress: chains still running, and the first failure. */
  static final class Window {
    final CountDownLatch chainsLeft = new CountDownLatch(IN_FLIGHT);
    final AtomicReference<@Nullable Object> failure = new AtomicReference<>();

    void fail(Object cause) {
      failure.compareAndSet(null, cause);
      chainsLeft.countDown();
    }

    void await() throws InterruptedException {
      if (!chainsLeft.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("round trips did not finish within " + WAIT_SECONDS + " s");
      }
      Object cause = failure.get();
      if (cause != null) {
        throw new IllegalStateException("a round trip failed: " + cause);
      }
    }
  }

  /**
   * A chain of Baton calls: its own success and failure callbacks, so a round trip allocates only
   * what the call itself does. Calls of one chain never overlap, so its fields need no lock: each
   * call happens after the outcome of the one before.
   */
  static final class BatonChain implements Consumer<@Nullable Object> {
    private final TaskApp app;
    private final Consumer<TaskError> onFailure;
    private int remaining;
    private @Nullable Window window;

    BatonChain(TaskApp app) {
      this.app = app;
      this.onFailure = error -> currentWindow().fail(error);
    }

    void start(Window window) {
      this.window = window;
      remaining = ROUND_TRIPS_EACH;
      next();
    }

    private void next() {
      Result<@Nullable Object> result = app.call("add", 1, 2);
      result.onSuccess(this).onFailure(onFailure);
    }

    @Override
    public void accept(@Nullable Object sum) {
      Window current = currentWindow();
      if (!SUM.equals(sum)) {
        current.fail("add(1, 2) returned " + sum);
      } else if (--remaining == 0) {
        current.chainsLeft.countDown();
      } else {
        next();
      }
    }

    private Window currentWindow() {
      Window current = window;
      if (current == null) {
        throw new IllegalStateException("chain not started");
      }
      return current;
    }
  }

  /** A chain of bare executor calls, shaped like {@link BatonChain}. */
  static final class BareChain implements BiConsumer<@Nullable Integer, @Nullable Throwable> {
    private final ExecutorService executor;
    private int remaining;
    private @Nullable Window window;

    BareChain(ExecutorService executor) {
      this.executor = executor;
    }

    void start(Window window) {
      this.window = window;
      remaining = ROUND_TRIPS_EACH;
      next();
    }

    // The future whenComplete returns is not needed: this chain's accept sees every failure.
    @SuppressWarnings("FutureReturnValueIgnored")
    private void next() {
      int a = 1;
      int b = 2;
      CompletableFuture.supplyAsync(() -> a + b, executor).whenComplete(this);
    }

    @Override
    public void accept(@Nullable Integer sum, @Nullable Throwable failure) {
      Window current = window;
      if (current == null) {
        throw new IllegalStateException("chain not started");
      }
      if (failure != null) {
        current.fail(failure);
      } else if (!SUM.equals(sum)) {
        current.fail("a + b returned " + sum);
      } else if (--remaining == 0) {
        current.chainsLeft.countDown();
      } else {
        next();
      }
    }
  }

  /** Baton in local mode: the task {@code add} with {@value #WORKERS} workers. */
  @State(Scope.Benchmark)
  public static class BatonLocal {
    @Nullable TaskApp app;
    final List<BatonChain> chains = new ArrayList<>();

    @Setup(Level.Trial)
    public void start() {
      TaskApp started = TaskApp.local();
      started.register("add", int.class, int.class, int.class, (a, b) -> a + b);
      started.allocate("add", WORKERS, 0);
      app = started;
      for (int i = 0; i < IN_FLIGHT; i++) {
        chains.add(new BatonChain(started));
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      TaskApp started = app;
      if (started != null) {
        started.close();
      }
    }
  }

  /** A bare fixed pool of {@value #WORKERS} platform threads (one shared blocking queue). */
  @State(Scope.Benchmark)
  public static class BareThreadPool {
    final ExecutorService executor = Executors.newFixedThreadPool(WORKERS);
    final List<BareChain> chains = new ArrayList<>();

    @Setup(Level.Trial)
    public void start() {
      for (int i = 0; i < IN_FLIGHT; i++) {
        chains.add(new BareChain(executor));
      }
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
      shutDown(executor);
    }
  }

  /** A bare fork/join pool of {@value #WORKERS} threads (per-worker deques, work stealing). */
  @State(Scope.Benchmark)
  public static class BareForkJoinPool {
    final ExecutorService executor = new ForkJoinPool(WORKERS);
    final List<BareChain> chains = new ArrayList<>();

    @Setup(Level.Trial)
    public void start() {
      for (int i = 0; i < IN_FLIGHT; i++) {
        chains.add(new BareChain(executor));
      }
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
      shutDown(executor);
    }
  }

  @Benchmark
  @OperationsPerInvocation(ROUND_TRIPS)
  public void batonLocal(BatonLocal state) throws InterruptedException {
    Window window = new Window();
    for (BatonChain chain : state.chains) {
      chain.start(window);
    }
    window.await();
  }

  @Benchmark
  @OperationsPerInvocation(ROUND_TRIPS)
  public void bareThreadPool(BareThreadPool state) throws InterruptedException {
    runBare(state.chains);
  }

  @Benchmark
  @OperationsPerInvocation(ROUND_TRIPS)
  public void bareForkJoinPool(BareForkJoinPool state) throws InterruptedException {
    runBare(state.chains);
  }

  private static void runBare(List<BareChain> chains) throws InterruptedException {
    Window window = new Window();
    for (BareChain chain : chains) {
      chain.start(window);
    }
    window.await();
  }

  private static void shutDown(ExecutorService executor) throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("executor did not stop within 30 s");
    }
  }
}
