package dev.baton.redis;

import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The worker JVM that {@link RedisWorkerCrashTest} kills: connects to Redis with the test's lease,
 * registers the test's task (which records each execution by {@code INCR <prefix>exec:<n>}, then
 * sleeps 5-20 ms and returns {@code 2n}), allocates its workers, prints {@code ready} and runs
 * until killed (or until its stdin closes, so it never outlives a test JVM that dies first).
 *
 * <p>Arguments: the task name, the key prefix, the lease in milliseconds and the worker count.
 */
final class CrashingWorkerMain {

  /** Tasks held per worker (running or waiting under lease): the bound on re-runs after a kill. */
  static final int PREFETCH_MULTIPLIER = 4;

  private CrashingWorkerMain() {}

  public static void main(String[] args) throws IOException {
    String name = args[0];
    String prefix = args[1];
    Duration lease = Duration.ofMillis(Long.parseLong(args[2]));
    int workers = Integer.parseInt(args[3]);

    SystemTimeSource time = new SystemTimeSource();
    RedisClient client = RedisClient.create(RedisURI.create(RedisTests.uri()));
    StatefulRedisConnection<String, String> connection = client.connect();
    RedisBroker broker =
        RedisBroker.connect(RedisTests.uri(), time, lease, RedisBroker.DEFAULT_LIVENESS_WINDOW);
    RedisBackend backend = RedisBackend.connect(RedisTests.uri(), time);
    TaskApp app =
        TaskApp.builder()
            .mode(TaskApp.Mode.REMOTE)
            .timeSource(time)
            .prefetchMultiplier(PREFETCH_MULTIPLIER)
            .build();
    app.use(broker, Role.NAMED_CONSUMER);
    app.use(backend, Role.REPORTER);
    app.register(name, int.class, int.class, n -> execute(connection.sync(), prefix, "child", n));
    app.allocate(name, workers, 0);
    System.out.println("ready");
    System.out.flush();

    // runs until SIGKILL; returns (and exits) only when the parent closes stdin
    InputStream in = System.in;
    while (in.read() >= 0) {
      // ignore input
    }
    Runtime.getRuntime().halt(0);
  }

  /**
   * The task: records the execution ({@code INCR <prefix>exec:<n>} and {@code INCR
   * <prefix>ran:<who>}), sleeps 5-20 ms, returns {@code 2n}.
   */
  static int execute(RedisCommands<String, String> redis, String prefix, String who, int n) {
    // one script, so a SIGKILL cannot fall between the two counts
    Long _ =
        redis.eval(
            "redis.call('INCR', KEYS[1]) return redis.call('INCR', KEYS[2])",
            ScriptOutputType.INTEGER,
            prefix + "exec:" + n,
            prefix + "ran:" + who);
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(5, 21));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return 2 * n;
  }
}
