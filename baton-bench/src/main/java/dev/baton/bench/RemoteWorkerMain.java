package dev.baton.bench;

import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import java.io.IOException;
import java.io.InputStream;

/**
 * The worker JVM of the remote-task benchmark, started by {@link RemoteTaskHarness}: opens the
 * transport, registers {@code add(x, y)} under the task name it is given, allocates the worker
 * count on it (one subscription, so the broker holds at most that many tasks unsettled with this
 * JVM), prints {@code ready} and runs until its standard input closes; then it closes the app and
 * the adapters and exits. The harness closes stdin to stop it, and kills it by pid if it does not
 * exit in time.
 *
 * <pre>
 * java -cp baton-bench/target/benchmarks.jar dev.baton.bench.RemoteWorkerMain redis NAME 2
 * </pre>
 */
public final class RemoteWorkerMain {
  private RemoteWorkerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: RemoteWorkerMain <transport> <task name> <workers>");
      System.exit(2);
    }
    RemoteTransport transport = RemoteTransport.named(args[0]);
    String name = args[1];
    int workers = Integer.parseInt(args[2]);

    try (SystemTimeSource time = new SystemTimeSource();
        RemoteTransport.Adapters adapters = transport.open(time);
        TaskApp app =
            TaskApp.builder()
                .mode(TaskApp.Mode.REMOTE)
                .timeSource(time)
                .workerId(name + "-worker")
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
