package dev.baton.contract;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contract.Contracts.AsyncCall;
import dev.baton.contract.Contracts.AsyncCallId;
import dev.baton.contract.Contracts.AsyncCancel;
import dev.baton.contract.Contracts.Call;
import dev.baton.contract.Contracts.ContractOutcome;
import dev.baton.contract.Contracts.InstanceId;
import dev.baton.contract.Contracts.Open;
import dev.baton.process.Event;
import dev.baton.process.Pid;
import dev.baton.process.ProcessResult;
import dev.baton.redis.RedisBackend;
import dev.baton.redis.RedisBroker;
import dev.baton.tasks.ErrorCode;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskFailedException;
import dev.baton.testing.TestNode;
import dev.baton.testing.TestNode.Started;
import dev.baton.time.SystemTimeSource;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A remote binding over the real Redis broker and backend at 127.0.0.1:6379: the node's task app is
 * a Redis caller (producer + store); a separate worker app (named consumer + reporter, its own
 * connections, as another JVM would have) did {@code registerAll(ContractRedisCalc.class, impl)}.
 * Fails (never skips) when the server cannot be reached.
 */
class ContractRedisTest {

  private static final URI REDIS = URI.create("redis://127.0.0.1:6379");

  /** Every key, queue and worker of this test carries it: the interface's task names. */
  private static final String PREFIX = "ContractRedisCalc.";

  private final SystemTimeSource time = new SystemTimeSource();
  private final Blocker blocker = new Blocker();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ContractModule module = new ContractModule();
  private final TaskApp worker;
  private final TaskApp caller;
  private final TestNode node;

  ContractRedisTest() {
    deleteKeys();
    worker = app(Role.NAMED_CONSUMER, Role.REPORTER);
    caller = app(Role.PRODUCER, Role.STORE);
    for (String task : worker.registerAll(ContractRedisCalc.class, new RedisCalc(blocker))) {
      worker.allocate(task, 2, 0);
    }
    node =
        TestNode.builder()
            .dispatcher(module)
            .component(ContractRemoteTest.tasksComponent(caller))
            .component(Bindings.component(Binding.remote("calc", ContractRedisCalc.class)))
            .build();
  }

  private TaskApp app(Role... roles) {
    RedisBroker broker = RedisBroker.connect(REDIS, time);
    RedisBackend backend = RedisBackend.connect(REDIS, time);
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    for (Role role : roles) {
      app.use(role == Role.PRODUCER || role == Role.NAMED_CONSUMER ? broker : backend, role);
    }
    // closed last to first: the app before its adapters
    closeables.add(broker);
    closeables.add(backend);
    closeables.add(app);
    return app;
  }

  @AfterEach
  void close() throws Exception {
    try {
      blocker.release.countDown();
      node.close();
      for (AutoCloseable closeable : closeables.reversed()) {
        closeable.close();
      }
      time.close();
    } finally {
      deleteKeys();
    }
  }

  @Test
  void aCoroutine_callsTheRedisWorkersMethods_byJavaAndOverloadNames() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              InstanceId calc = process.call(Open.of("calc"));
              int added = process.call(Call.returning(int.class, calc, "add", 40, 2));
              long three = process.call(Call.returning(long.class, calc, PREFIX + "sum3", 1, 2, 3));
              return List.of(added, three);
            },
            null);

    assertThat(result.error()).isNull();
    assertThat(result.value()).isEqualTo(List.of(42, 6L));
  }

  @Test
  void aStepProcess_callsTheRedisWorker_andItsFailureIsTaskFailed() {
    ProcessResult result =
        node.runStep(
            new Steps(
                0,
                List.of(
                    previous -> Open.of("calc"),
                    instance ->
                        Call.of((InstanceId) requireNonNull(instance), "fail", "over redis"))),
            null);

    List<?> seen = (List<?>) requireNonNull(result.value());
    Event.Completion call = (Event.Completion) seen.get(1);
    assertThat(call.error())
        .isInstanceOfSatisfying(
            TaskFailedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TASK_FAILED);
              assertThat(e.error().message()).contains("kaput: over redis");
            });
  }

  @Test
  void asyncCall_overRedis_sendsOneMessageWithTheValue() {
    ProcessResult result =
        node.runCoroutine(
            (process, input) -> {
              AsyncCallId id =
                  process.call(
                      AsyncCall.of("sums", process.call(Open.of("calc")), PREFIX + "sum2", 4L, 5L));
              return List.of(id, requireNonNull(process.receive("sums").payload()));
            },
            null);

    List<?> seen = (List<?>) requireNonNull(result.value());
    ContractOutcome outcome = (ContractOutcome) seen.get(1);
    assertThat(outcome.id()).isEqualTo(seen.get(0));
    assertThat(outcome.value()).isEqualTo(9L);
  }

  @Test
  void asyncCancel_ofABlockedRedisCall_returnsTrue_andNoMessageFollows() {
    CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
    Started started =
        node.startCoroutine(
            (process, input) -> {
              AsyncCallId id =
                  process.call(AsyncCall.of("out", process.call(Open.of("calc")), "block"));
              blocker.awaitStarted();
              cancelled.complete(process.call(new AsyncCancel(id)));
              return process.receive().topic();
            },
            null);
    Pid pid = started.pid();
    TestNode.awaitCondition("the cancel to complete", cancelled::isDone);
    assertThat(cancelled.join()).isTrue();

    // The worker's attempt ends now; its outcome must not reach the process.
    blocker.release.countDown();
    blocker.awaitFinished();
    node.scheduler().send(pid, "marker", null);

    assertThat(started.await().value()).isEqualTo("marker");
    assertThat(module.runningAsyncCalls()).isZero();
  }

  /** Deletes the test's keys, queue registrations and worker heartbeats. */
  private static void deleteKeys() {
    RedisClient client = RedisClient.create(RedisURI.create(REDIS));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      ScanCursor cursor = ScanCursor.INITIAL;
      ScanArgs args = ScanArgs.Builder.matches("*" + PREFIX + "*").limit(1000);
      do {
        KeyScanCursor<String> page = redis.scan(cursor, args);
        if (!page.getKeys().isEmpty()) {
          redis.del(page.getKeys().toArray(new String[0]));
        }
        cursor = page;
      } while (!cursor.isFinished());
      for (String member : redis.smembers("baton:queues")) {
        if (member.startsWith(PREFIX)) {
          redis.srem("baton:queues", member);
        }
      }
      for (String workerId : redis.smembers("baton:workers")) {
        String heartbeat = redis.get("baton:hb:" + workerId);
        if (heartbeat != null && heartbeat.contains(PREFIX)) {
          redis.del("baton:hb:" + workerId);
          redis.srem("baton:workers", workerId);
        }
      }
      for (String member : redis.zrange("baton:due", 0, -1)) {
        if (member.startsWith(PREFIX)) {
          redis.zrem("baton:due", member);
        }
      }
    } finally {
      client.shutdown();
    }
  }

  /** The worker's implementation. */
  static final class RedisCalc implements ContractRedisCalc {
    private final Blocker blocker;

    RedisCalc(Blocker blocker) {
      this.blocker = blocker;
    }

    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public long sum(long a, long b) {
      return a + b;
    }

    @Override
    public long sum(long a, long b, long c) {
      return a + b + c;
    }

    @Override
    public String fail(String why) {
      throw new IllegalStateException("kaput: " + why);
    }

    @Override
    public String block() {
      return blocker.run();
    }
  }
}
