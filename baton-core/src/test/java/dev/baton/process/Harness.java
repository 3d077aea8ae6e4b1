package dev.baton.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registry;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A scheduler over a small test module, with manual time and a listener that records every start
 * and every end, so tests await outcomes with a bound instead of sleeping.
 */
final class Harness implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  static final CommandId ECHO = CommandId.of(200);
  static final CommandId HOLD = CommandId.of(201);
  static final CommandId SLEEP = CommandId.of(202);
  static final CommandId FAIL = CommandId.of(203);
  static final CommandId TWICE = CommandId.of(204);

  /** Completes at once with its value. */
  record Echo(Object value) implements Command<Object> {
    @Override
    public CommandId commandId() {
      return ECHO;
    }
  }

  /** Completes only when the test completes it through {@link #held}. */
  record Hold() implements Command<Object> {
    @Override
    public CommandId commandId() {
      return HOLD;
    }
  }

  /** Completes with "slept" after its duration on the manual time source. */
  record Sleep(Duration duration) implements Command<String> {
    @Override
    public CommandId commandId() {
      return SLEEP;
    }
  }

  /** Its handler throws. */
  record Fail(String message) implements Command<Object> {
    @Override
    public CommandId commandId() {
      return FAIL;
    }
  }

  /** Its handler completes the tag twice, with "first" and "second". */
  record Twice() implements Command<String> {
    @Override
    public CommandId commandId() {
      return TWICE;
    }
  }

  /** A command whose completion the test controls, and the context its handler was given. */
  record Held(Pid caller, long tag, ResultReceiver receiver, CommandContext context) {
    void complete(@Nullable Object result) {
      receiver.completeYield(tag, result, null);
    }
  }

  /** A command that counts its releases. */
  static final class Counted implements Command<Object> {
    final CommandId id;
    final AtomicInteger releases = new AtomicInteger();

    Counted(CommandId id) {
      this.id = id;
    }

    @Override
    public CommandId commandId() {
      return id;
    }

    @Override
    public void release() {
      releases.incrementAndGet();
    }
  }

  final ManualTimeSource time = new ManualTimeSource();
  final Registry registry = new Registry();
  final CopyOnWriteArrayList<Held> held = new CopyOnWriteArrayList<>();
  final CopyOnWriteArrayList<Pid> started = new CopyOnWriteArrayList<>();
  final CopyOnWriteArrayList<Pid> ended = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<Pid, CompletableFuture<ProcessResult>> results =
      new ConcurrentHashMap<>();
  final Scheduler scheduler;

  Harness(int workers) {
    this(workers, builder -> {});
  }

  Harness(int workers, Consumer<Scheduler.Builder> configure) {
    registry.reservations().reserve("test", List.of(ECHO, HOLD, SLEEP, FAIL, TWICE));
    Registrar registrar = registry.registrar("test");
    registrar.register(
        ECHO,
        (context, command, tag, receiver) ->
            receiver.completeYield(tag, ((Echo) command).value(), null));
    registrar.register(
        HOLD,
        (context, command, tag, receiver) ->
            held.add(new Held(((ProcessContext) context).pid(), tag, receiver, context)));
    registrar.register(
        SLEEP,
        Handler.forType(
            Sleep.class,
            (context, sleep, tag, receiver) ->
                time.schedule(sleep.duration(), () -> receiver.completeYield(tag, "slept", null))));
    registrar.register(
        FAIL,
        Handler.forType(
            Fail.class,
            (context, fail, tag, receiver) -> {
              throw new IllegalStateException(fail.message());
            }));
    registrar.register(
        TWICE,
        (context, command, tag, receiver) -> {
          receiver.completeYield(tag, "first", null);
          receiver.completeYield(tag, "second", null);
        });
    registry.freeze();
    Scheduler.Builder builder =
        Scheduler.builder()
            .registry(registry)
            .timeSource(time)
            .workers(workers)
            .listener(
                new ProcessListener() {
                  @Override
                  public void onStart(Pid pid) {
                    started.add(pid);
                  }

                  @Override
                  public void onComplete(Pid pid, ProcessResult result) {
                    ended.add(pid);
                    future(pid).complete(result);
                  }
                });
    configure.accept(builder);
    scheduler = builder.build();
  }

  private CompletableFuture<ProcessResult> future(Pid pid) {
    return results.computeIfAbsent(pid, key -> new CompletableFuture<>());
  }

  /** Waits (bounded) for {@code pid} to end and returns how. */
  ProcessResult result(Pid pid) throws Exception {
    return future(pid).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Returns whether {@code pid} has ended. */
  boolean hasEnded(Pid pid) {
    return future(pid).isDone();
  }

  /** Waits (bounded) until {@code count} commands are held, and returns them. */
  List<Held> awaitHeld(int count) {
    await(() -> held.size() >= count, count + " held commands");
    return List.copyOf(held);
  }

  /** Waits (bounded) until {@code pid} is in {@code state}. */
  void awaitState(Pid pid, ProcessState state) {
    await(
        () ->
            scheduler.processes().stream()
                .anyMatch(info -> info.pid().equals(pid) && info.state() == state),
        "process " + pid + " in state " + state);
  }

  /**
   * Moves manual time on by 100 ms steps until {@code done}, but only while every live process is
   * waiting (none READY or RUNNING), and at most one step per 10 ms of real time: a process just
   * cancelled or terminated then gets to run its last step before the next deadline passes. For
   * driving a shutdown.
   */
  void advanceWhileAllWait(BooleanSupplier done, String description) {
    long[] lastAdvance = {System.nanoTime()};
    await(
        () -> {
          boolean allWaiting =
              scheduler.processes().stream()
                  .allMatch(
                      info ->
                          info.state() == ProcessState.BLOCKED
                              || info.state() == ProcessState.IDLE);
          // A process shown waiting may already be on its way out (a terminated coroutine's
          // thread has been interrupted but not yet scheduled), so manual time moves at most
          // 100 ms per 10 ms of real time: a deadline of one manual second leaves such a thread
          // 100 ms of real time, enough on a loaded machine, where racing ahead left it none.
          long now = System.nanoTime();
          if (allWaiting && now - lastAdvance[0] >= ADVANCE_PACE.toNanos()) {
            lastAdvance[0] = now;
            time.advance(Duration.ofMillis(100));
          }
          return done.getAsBoolean();
        },
        description);
  }

  /** The least real time between two steps of {@link #advanceWhileAllWait}. */
  private static final Duration ADVANCE_PACE = Duration.ofMillis(10);

  /** Polls {@code condition} every 100 microseconds until it holds; fails after {@link #WAIT}. */
  static void await(BooleanSupplier condition, String description) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < deadline).as("waiting for %s", description).isTrue();
      LockSupport.parkNanos(100_000);
    }
  }

  /**
   * Shuts the scheduler down, moving manual time along for its deadline, and checks that nothing
   * was left stuck and that no illegal state transition happened during the test.
   */
  @Override
  public void close() {
    AtomicReference<ShutdownReport> report = new AtomicReference<>();
    Thread shutdown =
        Thread.ofPlatform().start(() -> report.set(scheduler.shutdown(Duration.ofSeconds(1))));
    // the shutdown deadline is on manual time: move it along until the shutdown returns
    advanceWhileAllWait(() -> !shutdown.isAlive(), "the scheduler's shutdown");
    assertThat(report.get().stuck()).as("processes stuck in a step at shutdown").isZero();
    assertThat(StateTransitions.violations()).as("illegal state transitions").isEmpty();
  }
}
