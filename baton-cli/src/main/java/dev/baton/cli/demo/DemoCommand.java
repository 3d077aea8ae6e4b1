package dev.baton.cli.demo;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.Component;
import dev.baton.boot.ComponentFailedException;
import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.CommandRouter;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.process.Scheduler;
import dev.baton.time.SystemTimeSource;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton demo}: boots a node with the dispatch core, the scheduler and the {@link
 * GreeterModule}, sends commands down each path (answered at once, answered later by the timer, a
 * handler that throws, an unknown id, a module the node lacks), shows a start-up id collision being
 * refused, routes a burst of commands, runs processes that yield commands and resume with their
 * results, and shuts down.
 */
@picocli.CommandLine.Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Boot the dispatch core on the embedded default and show commands at work.",
      "Needs no server: registers an example module, dispatches commands down every path",
      "(answered at once, answered later, a handler that throws, an unknown id), runs",
      "processes, a local task app, and one process using each standard module, and prints",
      "what happened."
    })
public final class DemoCommand implements Callable<Integer> {
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @Spec
  private CommandSpec spec;

  @Option(
      names = "--commands",
      defaultValue = "1000000",
      description = "How many commands the burst routes (default: ${DEFAULT-VALUE}).")
  private int burstSize;

  @Option(
      names = "--processes",
      defaultValue = "1000",
      description = "How many step processes run round trips (default: ${DEFAULT-VALUE}).")
  private int processes;

  @Option(
      names = "--round-trips",
      defaultValue = "1000",
      description = "How many round trips each of them runs (default: ${DEFAULT-VALUE}).")
  private int roundTrips;

  @Option(
      names = "--tasks",
      defaultValue = "100000",
      description = "How many task calls the task burst makes (default: ${DEFAULT-VALUE}).")
  private int taskCalls;

  /** Created by picocli. */
  public DemoCommand() {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (burstSize < 1 || processes < 1 || roundTrips < 1 || taskCalls < 1) {
      spec.commandLine()
          .getErr()
          .printf(
              "--commands, --processes, --round-trips and --tasks must be at least 1, were %d,"
                  + " %d, %d, %d%n",
              burstSize, processes, roundTrips, taskCalls);
      return 2;
    }
    LongAdder intercepted = new LongAdder();
    Boot boot =
        Boot.of(
            Registry.component(),
            SystemTimeSource.component(),
            Dispatcher.component(new GreeterModule()),
            Scheduler.component(),
            countingInterceptor(intercepted));
    out.println("Baton demo: the dispatch core on the embedded default");
    out.println();
    out.println("Boot order: " + String.join(", ", boot.loadOrder()));
    long completed;
    try {
      boot.load(AppContext.empty());
      AppContext services = boot.start();
      completed = showDispatch(out, services);
      out.println();
      ProcessesDemo.run(out, services.require(Scheduler.KEY), processes, roundTrips);
    } finally {
      boot.shutdown();
    }
    out.printf(
        Locale.ROOT,
        "Interceptor saw %,d dispatches; shut down in reverse order: %s%n",
        intercepted.sum(),
        String.join(", ", boot.loadOrder().reversed()));
    out.println();
    boolean tasksCompleted = TasksDemo.run(out, taskCalls);
    out.println();
    boolean modulesWorked = ModulesDemo.run(out);
    return completed == burstSize && tasksCompleted && modulesWorked ? 0 : 1;
  }

  /** Dispatches down every path, shows the collision and the burst; returns the burst's count. */
  private long showDispatch(PrintWriter out, AppContext services) throws InterruptedException {
    Registry registry = services.require(Registry.KEY);
    out.println("Registry frozen: " + registry.isFrozen());
    out.println("Reserved ids: " + registry.reservations().snapshot());
    out.println();

    CommandRouter router = new CommandRouter(registry);
    CancellationSignal cancellation = new CancellationSignal();
    CommandContext caller = CommandContext.of("demo", services, cancellation);
    PendingReplies replies = new PendingReplies();

    out.println("Dispatching (tag: command -> outcome):");
    show(out, router, caller, replies, new GreeterModule.Greet("Ada"));
    show(
        out, router, caller, replies, new GreeterModule.GreetLater("Grace", Duration.ofMillis(50)));
    show(out, router, caller, replies, new GreeterModule.Greet(" "));
    show(out, router, caller, replies, new Unrouted(CommandId.of(999)));
    show(out, router, caller, replies, new Unrouted(CommandId.of(121)));
    out.println();

    out.println("A second module claiming id 256 is refused at start-up:");
    out.println("  " + collisionMessage());
    out.println();

    long completed = burst(router, caller);
    cancellation.cancel();
    return completed;
  }

  /** Routes one command, waits for its outcome, and prints both. */
  private static void show(
      PrintWriter out,
      CommandRouter router,
      CommandContext caller,
      PendingReplies replies,
      Command<?> command)
      throws InterruptedException {
    PendingReplies.Pending pending = replies.next();
    long start = System.nanoTime();
    router.route(caller, command, pending.tag(), replies);
    String outcome;
    try {
      @Nullable Object result =
          pending.reply().get(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      outcome = "\"" + result + "\"";
    } catch (ExecutionException failed) {
      Throwable cause = failed.getCause() == null ? failed : failed.getCause();
      outcome = "error " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
    } catch (TimeoutException e) {
      outcome = "no reply within " + REPLY_TIMEOUT;
    }
    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
    out.printf(Locale.ROOT, "  %d: %s -> %s (%,d us)%n", pending.tag(), command, outcome, micros);
  }

  /** Boots a node in which two modules claim the same id, and returns why it refused to load. */
  private static String collisionMessage() {
    Dispatcher impostor = new GreeterModule("impostor");
    Boot boot =
        Boot.of(
            Registry.component(),
            SystemTimeSource.component(),
            Dispatcher.component(new GreeterModule()),
            Dispatcher.component(impostor));
    try {
      boot.load(AppContext.empty());
      return "unexpectedly loaded";
    } catch (ComponentFailedException refused) {
      Throwable reason = refused.getCause() == null ? refused : refused.getCause();
      return String.valueOf(reason.getMessage());
    } finally {
      boot.shutdown();
    }
  }

  /** Routes {@link #burstSize} commands that complete at once, and prints the throughput. */
  private long burst(CommandRouter router, CommandContext caller) {
    LongAdder completed = new LongAdder();
    ResultReceiver counting =
        (tag, result, error) -> {
          if (error == null) {
            completed.increment();
          }
        };
    GreeterModule.Greet greet = new GreeterModule.Greet("burst");
    long start = System.nanoTime();
    for (int tag = 1; tag <= burstSize; tag++) {
      router.route(caller, greet, tag, counting);
    }
    long nanos = System.nanoTime() - start;
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "Burst: %,d commands routed and completed in %.1f ms on one thread (%.2f M/s);"
                + " not a benchmark, see docs/benchmarks.md%n",
            completed.sum(),
            nanos / 1e6,
            completed.sum() * 1e3 / nanos);
    return completed.sum();
  }

  /** A component that counts every dispatch through the registry's interceptor hook. */
  private static Component countingInterceptor(LongAdder counter) {
    return Component.named("demo.metrics")
        .dependsOn(Registry.COMPONENT_NAME)
        .onLoad(
            context -> {
              context
                  .require(Registry.KEY)
                  .addInterceptor(
                      (ctx, command, tag, receiver, next) -> {
                        counter.increment();
                        next.handle(ctx, command, tag, receiver);
                      });
              return context;
            })
        .build();
  }

  /** A command no module of this node handles. */
  private record Unrouted(CommandId commandId) implements Command<Object> {}
}
