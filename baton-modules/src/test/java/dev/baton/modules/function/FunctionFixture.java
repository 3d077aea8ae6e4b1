package dev.baton.modules.function;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.Component;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskSignature;
import dev.baton.tasks.TypeRef;
import dev.baton.testing.TestNode;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * A node with the function module over a local task app, and the tasks the tests call: {@code add},
 * {@code boom} (throws), {@code block} (waits on a latch the test controls and records whether it
 * was interrupted), {@code gate} (waits on the latch of its round, see {@link Gates}) and {@code
 * numbers} (a generic return value).
 */
final class FunctionFixture implements AutoCloseable {

  /** A task that blocks until released, and tells whether it started and was interrupted. */
  static final class Blocker {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch interrupted = new CountDownLatch(1);

    String run() throws InterruptedException {
      started.countDown();
      try {
        release.await();
        return "released";
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
    }

    void awaitStarted() {
      await(started, "the blocking task to start");
    }

    void awaitInterrupted() {
      await(interrupted, "the blocking task to be interrupted");
    }

    static void await(CountDownLatch latch, String what) {
      try {
        if (!latch.await(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new AssertionError("timed out waiting for " + what);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /**
   * One latch per round for the {@code gate} task, which returns its round once the test opens that
   * round's gate, and tells when it started waiting.
   */
  static final class Gates {
    private final ConcurrentHashMap<Integer, CountDownLatch> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, CountDownLatch> waiting = new ConcurrentHashMap<>();

    int pass(int round) throws InterruptedException {
      latch(waiting, round).countDown();
      latch(open, round).await();
      return round;
    }

    void awaitWaiting(int round) {
      Blocker.await(latch(waiting, round), "the gate task of round " + round + " to start");
    }

    void open(int round) {
      latch(open, round).countDown();
    }

    private static CountDownLatch latch(ConcurrentHashMap<Integer, CountDownLatch> map, int round) {
      return map.computeIfAbsent(round, r -> new CountDownLatch(1));
    }
  }

  final TaskApp app;
  final FunctionModule module = new FunctionModule();
  final Blocker blocker = new Blocker();
  final Gates gates = new Gates();
  final TestNode node;

  FunctionFixture() {
    app = TaskApp.local();
    registerTasks(app, blocker);
    app.register("gate", int.class, int.class, gates::pass);
    app.allocate("gate", 4, 0);
    node = nodeOver(app, module);
  }

  /** Registers the test tasks on {@code app} and starts workers for them. */
  static void registerTasks(TaskApp app, Blocker blocker) {
    app.register("add", int.class, int.class, int.class, Integer::sum);
    app.register(
        "boom",
        String.class,
        String.class,
        what -> {
          throw new IllegalStateException("kaput: " + what);
        });
    app.register("block", String.class, blocker::run);
    app.register(
        TaskSignature.of("numbers", new TypeRef<List<Integer>>() {}.type(), int.class),
        arguments -> IntStream.range(0, (int) requireNonNull(arguments[0])).boxed().toList());
    for (String task : List.of("add", "boom", "block", "numbers")) {
      app.allocate(task, 4, 0);
    }
  }

  /** A node whose {@code tasks} component shares {@code app}, with {@code module} booted. */
  static TestNode nodeOver(TaskApp app, FunctionModule module) {
    return TestNode.builder().dispatcher(module).component(tasksComponent(app)).build();
  }

  static Component tasksComponent(TaskApp app) {
    requireNonNull(app, "app");
    return Component.named(FunctionModule.TASKS_COMPONENT)
        .onLoad(context -> context.with(TaskApp.KEY, app))
        .build();
  }

  @Override
  public void close() {
    blocker.release.countDown();
    node.close();
    app.close();
  }
}
