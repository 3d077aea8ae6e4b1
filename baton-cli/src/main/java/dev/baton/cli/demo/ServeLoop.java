package dev.baton.cli.demo;

import dev.baton.cli.NodeCommand;
import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandRouter;
import dev.baton.dispatch.Registry;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.node.Node;
import dev.baton.node.NodeSignals;
import dev.baton.process.Coroutine;
import dev.baton.process.CoroutineScope;
import dev.baton.process.Event;
import dev.baton.process.Message;
import dev.baton.process.Scheduler;
import dev.baton.process.StepOutput;
import dev.baton.process.StepProcess;
import dev.baton.tasks.RetryPolicy;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskOptions;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * {@code baton demo --serve}'s second half: prints where the dashboard listens and keeps the node
 * busy with a gentle workload until stopped, so the dashboard has live numbers and something to
 * retry.
 *
 * <p>The workload: a few long-lived processes that greet and sleep in a loop (listed on the
 * processes page, terminable there); every {@value #TICK_MILLIS} ms a short step process with three
 * command round trips, a few commands routed directly, and calls of {@code add} and {@code greet};
 * every {@value #FAIL_EVERY} ticks a call of {@code fail} that fails all three of its attempts and
 * is dead-lettered.
 *
 * <p>Threads: {@link #run()} blocks its caller until SIGINT/SIGTERM ({@link NodeSignals}, which
 * also closes the node gracefully; a second signal forces exit; {@code run} returns once the node
 * has stopped) or {@link #stop()} (any thread: a test; the caller then closes the node) or an
 * interrupt; the workload runs on one daemon thread of its own.
 */
public final class ServeLoop {
  static final long TICK_MILLIS = 250;
  static final int FAIL_EVERY = 40;
  private static final int LONG_LIVED = 3;

  private final Node node;
  private final TaskApp app;
  private final PrintWriter out;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch running = new CountDownLatch(1);
  private final AtomicLong ticks = new AtomicLong();

  ServeLoop(Node node, TaskApp app, PrintWriter out) {
    this.node = node;
    this.app = app;
    this.out = out;
  }

  /** The node being served. */
  public Node node() {
    return node;
  }

  /** Waits until the workload runs (the dashboard is up by then); returns whether it does. */
  boolean awaitRunning(Duration timeout) throws InterruptedException {
    return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many workload ticks ran. */
  long ticks() {
    return ticks.get();
  }

  /** Ends {@link #run()}; any thread, idempotent. */
  public void stop() {
    stopped.countDown();
  }

  /** Prints the dashboard's URL, runs the workload until {@link #stop()}, then stops it. */
  void run() throws InterruptedException {
    InetSocketAddress address = node.dashboardAddress().orElseThrow();
    String url = NodeCommand.dashboardUrl(address);
    out.println();
    out.println("Dashboard: " + url + "/");
    if (node.config().dashboard().token() != null) {
      out.println("  it asks for the token you passed (--token or BATON_TOKEN) once per session");
    }
    out.println("  inspect from a shell: baton inspect --url " + url);
    out.println(
        "Serving a gentle workload (processes, commands, tasks; a dead letter now and then)."
            + " Ctrl+C stops the node.");
    out.flush();

    Scheduler scheduler = node.scheduler();
    for (int i = 0; i < LONG_LIVED; i++) {
      var _ = scheduler.spawnCoroutine(new GreetAndSleep());
    }
    CommandRouter router = new CommandRouter(node.services().require(Registry.KEY));
    CancellationSignal cancellation = new CancellationSignal();
    CommandContext caller = CommandContext.of("demo.serve", node.services(), cancellation);
    ResultReceiver ignore = (tag, result, error) -> {};
    TaskOptions failing =
        TaskOptions.builder().retry(RetryPolicy.exponential(3, Duration.ofMillis(100))).build();
    ScheduledExecutorService workload =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "baton-demo-serve");
              thread.setDaemon(true);
              return thread;
            });
    var _ =
        workload.scheduleAtFixedRate(
            () -> {
              long tick = ticks.incrementAndGet();
              try {
                scheduler.spawn(new ThreeGreetings());
                for (int i = 0; i < 5; i++) {
                  router.route(caller, new GreeterModule.Greet("visitor " + tick), tick, ignore);
                }
                var _ = app.call("add", (int) tick, 1);
                var _ = app.call("greet", "visitor " + tick);
                if (tick % FAIL_EVERY == 1) {
                  var _ =
                      app.call(DemoTasks.FAIL, failing, "dead letter #" + (tick / FAIL_EVERY + 1));
                }
              } catch (RuntimeException e) {
                // The node is stopping (or refuses work): the loop ends with the next stop().
              }
              running.countDown();
            },
            0,
            TICK_MILLIS,
            TimeUnit.MILLISECONDS);
    NodeSignals signals = NodeSignals.install(node, System.out);
    try (signals) {
      try {
        // A signal closes the node on a thread of its own; this loop then stops its workload.
        while (!stopped.await(100, TimeUnit.MILLISECONDS) && !signals.signalled()) {
          // serving
        }
      } finally {
        workload.shutdownNow();
        cancellation.cancel();
      }
      // The handlers stay installed until the node has stopped, so that a second signal during
      // the shutdown still exits at once (with the JVM's own handlers back, it would run the
      // shutdown hooks instead). The long-lived processes end on the shutdown's cancel.
      if (signals.signalled()) {
        while (!node.awaitStopped(Duration.ofSeconds(1))) {
          // the shutdown thread closes the node
        }
      }
    }
  }

  /**
   * A long-lived process: greets, waits a second, again, until cancelled (it then ends with the
   * number of rounds) or terminated. It waits on its mailbox rather than with {@code Clock.Sleep},
   * so the cancel the node's shutdown sends ends it at once; a sleep would not see the cancel and
   * would hold the shutdown until the scheduler's deadline.
   */
  static final class GreetAndSleep implements Coroutine {
    @Override
    public @Nullable Object run(CoroutineScope p, @Nullable Object input) {
      for (long round = 1; ; round++) {
        p.call(new GreeterModule.Greet("round " + round));
        Optional<Message> message = p.receive(Duration.ofSeconds(1));
        if (message.isPresent() && message.get().topic().equals(Message.CANCEL_TOPIC)) {
          return round;
        }
      }
    }
  }

  /** A short step process: three greetings, one per step, then done. */
  private static final class ThreeGreetings implements StepProcess {
    private int answered;

    @Override
    public void step(List<Event> events, StepOutput out) {
      for (Event event : events) {
        if (event instanceof Event.Completion) {
          answered++;
        }
      }
      if (answered >= 3) {
        out.done(answered);
      } else {
        out.yield(new GreeterModule.Greet("step " + answered));
      }
    }
  }
}
