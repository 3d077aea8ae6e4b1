package dev.baton.testing;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.Component;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
import dev.baton.process.Coroutine;
import dev.baton.process.Event;
import dev.baton.process.ExitSignal;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessInfo;
import dev.baton.process.ProcessResult;
import dev.baton.process.ProcessState;
import dev.baton.process.Scheduler;
import dev.baton.process.SpawnOptions;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.time.ManualTimeSource;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A booted node for module tests: the registry, a time source (the system's or a manual one), the
 * scheduler, and the dispatchers and components under test; with ways to run a command through a
 * coroutine or a step process and read what the process saw.
 *
 * <p>Every wait is bounded by {@link #BOUND} of real time, and none sleeps: tests on manual time
 * move it with {@link #manualTime()} once {@link #awaitWaiting} says the process is parked.
 */
public final class TestNode implements AutoCloseable {
  /** How long any wait of this fixture may take before the test fails. */
  public static final Duration BOUND = Duration.ofSeconds(10);

  private static final long POLL_NANOS = 100_000;

  private final Boot boot;
  private final AppContext services;
  private final @Nullable ManualTimeSource manualTime;

  private TestNode(Boot boot, AppContext services, @Nullable ManualTimeSource manualTime) {
    this.boot = boot;
    this.services = services;
    this.manualTime = manualTime;
  }

  /** Starts building a node. */
  public static Builder builder() {
    return new Builder();
  }

  /** The node's services, sealed. */
  public AppContext services() {
    return services;
  }

  /** The node's scheduler. */
  public Scheduler scheduler() {
    return services.require(Scheduler.KEY);
  }

  /** The node's time source. */
  public TimeSource time() {
    return services.require(TimeSource.KEY);
  }

  /**
   * The node's manual time source.
   *
   * @throws IllegalStateException if the node runs on the system clock
   */
  public ManualTimeSource manualTime() {
    if (manualTime == null) {
      throw new IllegalStateException("this node runs on the system clock; build it manualTime()");
    }
    return manualTime;
  }

  // ---- running processes ----

  /**
   * Spawns {@code process} monitored by a watcher and returns a future of how it ended; the
   * process's pid is available through {@link Started#pid()} once spawned.
   */
  public Started startStep(StepProcess process, @Nullable Object input) {
    return watch((scheduler, options) -> scheduler.spawn(process, input, options));
  }

  /** Spawns the coroutine {@code body}; see {@link #startStep(StepProcess, Object)}. */
  public Started startCoroutine(Coroutine body, @Nullable Object input) {
    return watch((scheduler, options) -> scheduler.spawnCoroutine(body, input, options));
  }

  /** Runs {@code process} to its end, waiting at most {@link #BOUND}. */
  public ProcessResult runStep(StepProcess process, @Nullable Object input) {
    return startStep(process, input).await();
  }

  /**
   * Runs a step process that yields each command in turn, each built from the results so far, and
   * returns the results in order; an error completion becomes the last result and ends the script.
   *
   * @throws AssertionError if the process did not end normally
   */
  public List<Object> runScript(List<Function<List<Object>, Command<?>>> steps) {
    List<Object> results = new ArrayList<>();
    StepProcess script =
        new StepProcess() {
          @Override
          public void step(List<Event> events, StepOutput out) {
            for (Event event : events) {
              if (event instanceof Event.Completion c) {
                results.add(c.error() != null ? c.error() : requireNonNull(c.result(), "result"));
                if (c.error() != null) {
                  out.done(results);
                  return;
                }
              }
            }
            if (results.size() == steps.size()) {
              out.done(results);
            } else {
              var _ = out.yield(steps.get(results.size()).apply(results));
              out.waitForYields();
            }
          }
        };
    ProcessResult result = runStep(script, null);
    if (!result.isNormal()) {
      throw new AssertionError("the script process did not end normally: " + result);
    }
    return results;
  }

  /** Runs the coroutine {@code body} to its end, waiting at most {@link #BOUND}. */
  public ProcessResult runCoroutine(Coroutine body, @Nullable Object input) {
    return startCoroutine(body, input).await();
  }

  /**
   * Calls {@code command} from a coroutine and returns its result.
   *
   * @throws RuntimeException the command's error, as the coroutine's {@code call} threw it
   */
  @SuppressWarnings({
    "unchecked",
    "NullAway"
  }) // a handler may complete with null, as call returns it
  public <R> R callInCoroutine(Command<R> command) {
    ProcessResult result = runCoroutine((process, input) -> process.call(command), null);
    if (result.error() != null) {
      throw rethrowable(result.error());
    }
    return (R) result.value();
  }

  /** Yields {@code command} from a step process and returns the completion it received. */
  public Event.Completion yieldFromStep(Command<?> command) {
    ProcessResult result = runStep(new YieldOnce(command), null);
    if (result.error() != null) {
      throw new AssertionError("the step process failed", result.error());
    }
    return (Event.Completion) requireNonNull(result.value(), "completion");
  }

  /**
   * Waits until {@code pid} is parked (waiting for yields or messages) or has ended, so a test on
   * manual time can move the clock knowing the process is waiting.
   */
  public void awaitWaiting(Pid pid) {
    awaitCondition(
        "process " + pid + " to wait",
        () -> {
          ProcessState state = stateOf(pid);
          return state == null || state == ProcessState.BLOCKED || state == ProcessState.IDLE;
        });
  }

  /** The state of {@code pid}, or null if it has ended. */
  public @Nullable ProcessState stateOf(Pid pid) {
    for (ProcessInfo info : scheduler().processes()) {
      if (info.pid().equals(pid)) {
        return info.state();
      }
    }
    return null;
  }

  /**
   * Waits up to {@link #BOUND} for {@code condition}, checking it every {@value #POLL_NANOS} ns (a
   * polling interval, not a guess at how long anything takes).
   *
   * @throws AssertionError naming {@code what} if it does not hold in time
   */
  public static void awaitCondition(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + BOUND + " waiting for " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  @Override
  public void close() {
    boot.shutdown();
  }

  private Started watch(Spawner spawner) {
    CompletableFuture<Pid> pid = new CompletableFuture<>();
    CompletableFuture<ProcessResult> exit = new CompletableFuture<>();
    scheduler()
        .spawnCoroutine(
            (watcher, input) -> {
              try {
                pid.complete(
                    spawner.spawn(scheduler(), SpawnOptions.NONE.monitoredBy(watcher.pid())));
              } catch (RuntimeException spawnFailed) {
                pid.completeExceptionally(spawnFailed);
                exit.completeExceptionally(spawnFailed);
                return null;
              }
              Message message = watcher.receive(Message.EXIT_TOPIC);
              exit.complete(((ExitSignal) requireNonNull(message.payload(), "exit")).result());
              return null;
            });
    return new Started(pid, exit);
  }

  private static RuntimeException rethrowable(Throwable error) {
    if (error instanceof RuntimeException runtime) {
      return runtime;
    }
    if (error instanceof Error fatal) {
      throw fatal;
    }
    return new IllegalStateException(error);
  }

  @FunctionalInterface
  private interface Spawner {
    Pid spawn(Scheduler scheduler, SpawnOptions options);
  }

  /** A process being watched: its pid once spawned, and how it ended. */
  public record Started(CompletableFuture<Pid> pidFuture, CompletableFuture<ProcessResult> exit) {

    /** The process's pid, waiting at most {@link #BOUND} for the spawn. */
    public Pid pid() {
      return bounded(pidFuture);
    }

    /** How the process ended, waiting at most {@link #BOUND}. */
    public ProcessResult await() {
      return bounded(exit);
    }

    private static <T> T bounded(CompletableFuture<T> future) {
      try {
        return future.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      } catch (ExecutionException e) {
        throw rethrowable(requireNonNull(e.getCause(), "cause"));
      } catch (TimeoutException e) {
        throw new AssertionError("the process did not end within " + BOUND, e);
      }
    }
  }

  /** A step process that yields one command and ends with the completion it receives. */
  public static final class YieldOnce implements StepProcess {
    private final Command<?> command;
    private boolean yielded;

    public YieldOnce(Command<?> command) {
      this.command = command;
    }

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Event.Completion completion) {
          out.done(completion);
          return;
        }
      }
      if (!yielded) {
        yielded = true;
        out.yield(command);
      } else {
        out.waitForYields();
      }
    }
  }

  /** Builds and boots a {@link TestNode}. */
  public static final class Builder {
    private final List<Component> components = new ArrayList<>();
    private boolean manual;

    private Builder() {}

    /** Runs the node on a {@link ManualTimeSource} instead of the system clock. */
    public Builder manualTime() {
      manual = true;
      return this;
    }

    /** Adds a module's dispatcher, as {@link Dispatcher#component} boots it. */
    public Builder dispatcher(Dispatcher dispatcher) {
      components.add(Dispatcher.component(dispatcher));
      return this;
    }

    /** Adds a component (a service the modules use). */
    public Builder component(Component component) {
      components.add(component);
      return this;
    }

    /** Boots and starts the node. */
    public TestNode build() {
      List<Component> all = new ArrayList<>(components);
      all.add(Registry.component());
      all.add(Scheduler.component());
      ManualTimeSource manualTime = manual ? new ManualTimeSource() : null;
      if (manualTime != null) {
        all.add(
            Component.named(SystemTimeSource.COMPONENT_NAME)
                .onLoad(context -> context.with(TimeSource.KEY, manualTime))
                .build());
      } else {
        all.add(SystemTimeSource.component());
      }
      Boot boot = Boot.of(all);
      boot.load(AppContext.empty());
      AppContext services = boot.start();
      return new TestNode(boot, services, manualTime);
    }
  }
}
