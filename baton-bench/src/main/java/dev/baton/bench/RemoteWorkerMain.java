package dev.baton.bench;

import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import java.io.IOException;
import java.io.InputStream;

/**
 * The worker JVM of the remote-task benchmark, started by {@link RemoteTaskHarness}: opens the
 * transport for the harness's run, registers {@code add(x, y)} under the run's task name ({@link
 * RemoteTaskHarness#taskName}), allocates the worker count on it (one subscription, so the broker
 * holds at most that many tasks unsettled with this JVM), prints {@code ready} and runs until its
 * standard input closes; then it closes the app and the adapters and exits. The harness closes
 * stdin to stop it, and kills it by pid if it does not exit in time.
 *
 * <pre>
 * java -cp baton-bench/target/benchmarks.jar dev.baton.bench.RemoteWorkerMain redis RUN_ID 2
 * </pre>
 */
public final class RemoteWorkerMain {
  private RemoteWorkerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: RemoteWorkerMain <transport> <run id> <workers>");
      System.exit(2);
    }
    RemoteTransport transport = RemoteTransport.named(args[0]);
    String runId = args[1];
    String name = RemoteTaskHarness.taskName(runId);
    int workers = Integer.parseInt(args[2]);

    try (SystemTimeSource time = new SystemTimeSource();
        RemoteTransport.Adapters adapters = transport.open(time, runId);
        TaskApp app =
            TaskApp.builder()
                .mode(TaskApp.Mode.REMOTE)
                .timeSource(time)
                .workerId(runId + ".worker")
                .build()) {
      app.use(adapters.broker(), Role.NAMED_CONSUMER);
      app.use(adapters.backend(), Role.REPORTER);
      app.register(name, int.class, int.class, int.class, Integer::sum);
      app.allocate(name, workers, 0);
      System.out.println("ready");
      System.out.flush();
      awaitEndOfInput(System.in);
    }
    System.out.println("stopped");
    System.out.flush();
  }

  /** Returns when {@code in} ends: the harness closed it, or the harness died. */
  private static void awaitEndOfInput(InputStream in) throws IOException {
    byte[] buffer = new byte[64];
    while (in.read(buffer) >= 0) {
      // input means nothing; only its end does
    }
  }
}
