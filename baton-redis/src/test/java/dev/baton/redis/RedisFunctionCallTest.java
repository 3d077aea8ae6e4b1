package dev.baton.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.Component;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
import dev.baton.modules.function.FunctionModule;
import dev.baton.modules.function.Functions.Call;
import dev.baton.process.Scheduler;
import dev.baton.process.YieldTimeoutException;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskFailedException;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The function module over a real broker: a node whose task app is a Redis caller (producer +
 * store) runs a coroutine that yields {@link Call}; a separate worker app (named consumer +
 * reporter, its own connections, as another JVM would have) runs the task.
 */
class RedisFunctionCallTest {

  private static final Duration BOUND = Duration.ofSeconds(20);

  private final String prefix = "fn" + UUID.randomUUID().toString().substring(0, 8) + ".";
  private final SystemTimeSource time = new SystemTimeSource();

  /** Released when the test ends, so a blocked worker thread is not left waiting. */
  private final CountDownLatch blockRelease = new CountDownLatch(1);

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final TaskApp worker = app(Role.NAMED_CONSUMER, Role.REPORTER);
  private final TaskApp caller = app(Role.PRODUCER, Role.STORE);
  private final Boot node;
  private final Scheduler scheduler;

  RedisFunctionCallTest() {
    worker.register(prefix + "add", int.class, int.class, int.class, Integer::sum);
    worker.register(
        prefix + "boom",
        String.class,
        String.class,
        what -> {
          throw new IllegalStateException("kaput: " + what);
        });
    worker.register(
        prefix + "block",
        String.class,
        () -> {
          blockRelease.await();
          return "released";
        });
    worker.allocate(prefix + "add", 2, 0);
    worker.allocate(prefix + "block", 2, 0);
    worker.allocate(prefix + "boom", 2, 0);
    node =
        Boot.of(
            Registry.component(),
            Scheduler.component(),
            Component.named(SystemTimeSource.COMPONENT_NAME)
                .onLoad(context -> context.with(TimeSource.KEY, time))
                .build(),
            Component.named(FunctionModule.TASKS_COMPONENT)
                .onLoad(context -> context.with(TaskApp.KEY, caller))
                .build(),
            Dispatcher.component(new FunctionModule()));
    node.load(AppContext.empty());
    scheduler = node.start().require(Scheduler.KEY);
  }

  private TaskApp app(Role... roles) {
    RedisBroker broker = RedisBroker.connect(RedisTests.uri(), time);
    RedisBackend backend = RedisBackend.connect(RedisTests.uri(), time);
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    for (Role role : roles) {
      app.use(role == Role.PRODUCER || role == Role.NAMED_CONSUMER ? broker : backend, role);
    }
    // Closed last to first: the app before its adapters.
    closeables.add(broker);
    closeables.add(backend);
    closeables.add(app);
    return app;
  }

  @AfterEach
  void close() throws Exception {
    try {
      blockRelease.countDown();
      node.shutdown();
      for (AutoCloseable closeable : closeables.reversed()) {
        closeable.close();
      }
      time.close();
    } finally {
      RedisTests.deleteKeys(prefix);
    }
  }

  /** Runs {@code call} in a coroutine and returns what the coroutine's call returned or threw. */
  private Object callInCoroutine(Call<?> call) throws Exception {
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    scheduler.spawnCoroutine(
        (process, input) -> {
          try {
            outcome.complete(process.call(call));
          } catch (RuntimeException e) {
            outcome.complete(e);
          }
          return null;
        });
    return outcome.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void aCoroutineYieldsCall_andResumesWithTheRedisWorkersValue() throws Exception {
    Object sum = callInCoroutine(Call.returning(Integer.class, prefix + "add", 40, 2));

    assertThat(sum).isEqualTo(42);
  }

  @Test
  void aTaskThatThrowsOnTheRedisWorker_failsTheCallWithTaskFailed() throws Exception {
    Object failure = callInCoroutine(Call.returning(String.class, prefix + "boom", "redis"));

    assertThat(failure)
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TASK_FAILED);
              assertThat(e.error().message()).contains("kaput: redis");
            });
  }

  @Test
  void aCallWhoseDeadlinePasses_failsWithYieldTimeout_andTheCoroutineGoesOn() throws Exception {
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    scheduler.spawnCoroutine(
        (process, input) -> {
          try {
            process.call(Call.returning(String.class, prefix + "block"), Duration.ofMillis(200));
            outcome.complete("the blocked call completed");
          } catch (YieldTimeoutException expected) {
            outcome.complete(process.call(Call.returning(Integer.class, prefix + "add", 40, 2)));
          } catch (RuntimeException e) {
            outcome.complete(e);
          }
          return null;
        });

    assertThat(outcome.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(42);
  }
}
