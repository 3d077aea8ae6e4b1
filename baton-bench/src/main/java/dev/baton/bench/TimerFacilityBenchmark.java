package dev.baton.bench;

import dev.baton.time.SystemTimeSource;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Chooses the clock module's timer facility: the node's {@link SystemTimeSource} (one {@code
 * ScheduledThreadPoolExecutor} thread, a binary heap, remove-on-cancel) against Netty's {@link
 * HashedWheelTimer} (one thread, a wheel of 512 buckets ticking every millisecond, cancellation
 * applied on the next tick).
 *
 * <ul>
 *   <li>{@code armCancel} — the deadline pattern, where most timers are cancelled before they fire:
 *       arm a timer and cancel it at once, from one thread; average ns per arm+cancel. {@code -prof
 *       gc}'s {@code gc.alloc.rate.norm} is bytes per arm+cancel.
 *   <li>{@code fireAll} — arm {@value #TIMERS} timers due 1-10 ms out (spread evenly) and wait for
 *       all to fire; the score is timers per second ({@code @OperationsPerInvocation}), {@code
 *       gc.alloc.rate.norm} is bytes per timer, and each iteration prints the lateness (fire time
 *       minus due time) percentiles of its timers to the fork's output.
 * </ul>
 *
 * <p>Both run with {@code backlog} other timers pending (0 or 100,000, due 5-10 min out), as in a
 * node where many processes each hold a deadline. The tasks are created once, so only the
 * facility's own allocation is measured. Netty's wheel runs with a 1 ms tick (its default of 100 ms
 * would make 1-10 ms timers 100 ms late by design).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class TimerFacilityBenchmark {
  static final int TIMERS = 10_000;
  static final Duration FAR = Duration.ofSeconds(10);
  static final Duration BACKLOG_FROM = Duration.ofMinutes(5);
  static final Duration BACKLOG_TO = Duration.ofMinutes(10);

  /** Which facility: {@code system} (SystemTimeSource) or {@code wheel} (HashedWheelTimer). */
  @Param({"system", "wheel"})
  public String facility = "system";

  /**
   * How many other timers are pending (due in an hour) while the benchmark runs: 0, or a node's
   * worth of processes each holding a deadline. The heap's arm and cancel cost grows with it (O(log
   * n)); the wheel's should not.
   */
  @Param({"0", "100000"})
  public int backlog;

  /**
   * Where {@code armCancel}'s timer falls among the backlog: {@code earliest} (10 s, before every
   * backlog timer: the heap's worst case, sifting to the root and back) or {@code among} (uniform
   * over the backlog's own 5-10 min range: a typical deadline among similar ones).
   */
  @Param({"earliest", "among"})
  public String position = "earliest";

  private @Nullable SystemTimeSource system;
  private @Nullable HashedWheelTimer wheel;

  private final Duration[] armDelays = new Duration[1024];
  private final long[] armDelayNanos = new long[armDelays.length];
  private int nextArm;
  private final Duration[] delays = new Duration[TIMERS];
  private final long[] delayNanos = new long[TIMERS];
  private final long[] dueNanos = new long[TIMERS];
  private final long[] firedNanos = new long[TIMERS];
  private final Fired[] tasks = new Fired[TIMERS];
  private final Fired noop = new Fired(-1);
  private long[] lateness = new long[0];
  private int latenessCount;
  private volatile @Nullable CountDownLatch allFired;

  /** Starts the facility under test and prepares the tasks. */
  @Setup(Level.Trial)
  public void start() {
    if (facility.equals("system")) {
      system = new SystemTimeSource("bench-timer");
    } else {
      wheel =
          new HashedWheelTimer(
              runnable -> Thread.ofPlatform().name("bench-wheel").daemon().unstarted(runnable),
              1,
              TimeUnit.MILLISECONDS,
              512);
      wheel.start();
    }
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < backlog; i++) {
      long nanos = random.nextLong(BACKLOG_FROM.toNanos(), BACKLOG_TO.toNanos());
      if (system != null) {
        var _ = system.schedule(Duration.ofNanos(nanos), noop);
      } else {
        var _ = requireWheel().newTimeout(noop, nanos, TimeUnit.NANOSECONDS);
      }
    }
    for (int i = 0; i < armDelays.length; i++) {
      armDelays[i] =
          position.equals("earliest")
              ? FAR
              : Duration.ofNanos(random.nextLong(BACKLOG_FROM.toNanos(), BACKLOG_TO.toNanos()));
      armDelayNanos[i] = armDelays[i].toNanos();
    }
    for (int i = 0; i < TIMERS; i++) {
      delays[i] = Duration.ofMillis(1 + (i % 10));
      delayNanos[i] = delays[i].toNanos();
      tasks[i] = new Fired(i);
    }
  }

  /** Stops the facility. */
  @TearDown(Level.Trial)
  public void stop() {
    if (system != null) {
      system.close();
    }
    if (wheel != null) {
      var _ = wheel.stop();
    }
  }

  /** Starts collecting one iteration's lateness. */
  @Setup(Level.Iteration)
  public void startIteration() {
    lateness = new long[TIMERS * 16];
    latenessCount = 0;
  }

  /** Prints the iteration's lateness percentiles (fireAll only; armCancel records none). */
  @TearDown(Level.Iteration)
  public void reportLateness() {
    if (latenessCount == 0) {
      return;
    }
    long[] sorted = Arrays.copyOf(lateness, latenessCount);
    Arrays.sort(sorted);
    System.out.printf(
        "%n[%s, backlog %d] lateness over %d timers: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        facility,
        backlog,
        sorted.length,
        sorted[sorted.length / 2] / 1e6,
        sorted[(int) (sorted.length * 0.99)] / 1e6,
        sorted[sorted.length - 1] / 1e6);
  }

  /** Arms a timer ({@link #position}) and cancels it at once. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public boolean armCancel() {
    int i = nextArm++ & (armDelays.length - 1);
    if (system != null) {
      return system.schedule(armDelays[i], noop).cancel();
    }
    return requireWheel().newTimeout(noop, armDelayNanos[i], TimeUnit.NANOSECONDS).cancel();
  }

  /** Arms {@value #TIMERS} timers due 1-10 ms out and waits for all of them to fire. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(TIMERS)
  public void fireAll() throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(TIMERS);
    allFired = latch;
    SystemTimeSource systemSource = system;
    for (int i = 0; i < TIMERS; i++) {
      dueNanos[i] = System.nanoTime() + delayNanos[i];
      if (systemSource != null) {
        var _ = systemSource.schedule(delays[i], tasks[i]);
      } else {
        var _ = requireWheel().newTimeout(tasks[i], delayNanos[i], TimeUnit.NANOSECONDS);
      }
    }
    if (!latch.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("timers did not fire within 10 s");
    }
    for (int i = 0; i < TIMERS && latenessCount < lateness.length; i++) {
      lateness[latenessCount++] = firedNanos[i] - dueNanos[i];
    }
  }

  private HashedWheelTimer requireWheel() {
    HashedWheelTimer timer = wheel;
    if (timer == null) {
      throw new IllegalStateException("no wheel");
    }
    return timer;
  }

  /** A task for both facilities: records when it ran and counts down the invocation's latch. */
  private final class Fired implements Runnable, TimerTask {
    private final int index;

    Fired(int index) {
      this.index = index;
    }

    @Override
    public void run() {
      if (index < 0) {
        return;
      }
      firedNanos[index] = System.nanoTime();
      CountDownLatch latch = allFired;
      if (latch != null) {
        latch.countDown();
      }
    }

    @Override
    public void run(Timeout timeout) {
      run();
    }
  }
}
