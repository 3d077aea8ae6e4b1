package dev.baton.cli.demo;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.ComponentFailedException;
import dev.baton.cli.Messages;
import dev.baton.dashboard.NodeSnapshot;
import dev.baton.dispatch.CancellationSignal;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.CommandRouter;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.node.Node;
import dev.baton.node.NodeConfig;
import dev.baton.node.NodeConfigException;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * {@code baton demo}: boots a node on the embedded default with the {@code demo} extension ({@link
 * GreeterModule}, {@link DemoTasks}), runs a workload in four phases (dispatch, processes, tasks,
 * modules) with a live progress bar, prints a summary with each phase's throughput and the node's
 * totals, and stops the node; with {@code --serve} it keeps the node and its dashboard up under a
 * gentle workload ({@link ServeLoop}) until interrupted.
 */
@picocli.CommandLine.Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Boot a node on the embedded default and show it at work. Needs no server.",
      "",
      "Four phases, each under a live progress bar on stderr, then what it showed:",
      "  dispatch   commands down every path (answered at once, later, a handler",
      "             that throws, an unknown id), an id collision, a command burst",
      "  processes  a step process and a coroutine, then many step processes doing",
      "             command round trips",
      "  tasks      local task calls, a stub, a retried task, the errors a caller",
      "             gets, a burst with 1,000 calls in flight",
      "  modules    one process using each standard module (process, clock, event,",
      "             store, function, exec, sql on H2, security, cloudstorage, eval,",
      "             workflow, contract)",
      "and a summary: per phase the count, time and throughput, and the node's totals.",
      "",
      "With --serve the node and its dashboard stay up afterwards, under a gentle",
      "continuous workload, until Ctrl+C (SIGINT) or SIGTERM; a second signal forces",
      "exit."
    },
    footer = {
      "",
      "Examples:",
      "  ./baton demo",
      "  ./baton demo --serve                      # then open http://127.0.0.1:7070/",
      "  ./baton demo --serve --bind 0.0.0.0 --token \"$(openssl rand -base64 24)\"",
      "",
      "Exit codes: 0 every phase worked, 1 a phase failed (named on stderr) or the",
      "node did not start, 2 bad option."
    })
public final class DemoCommand implements Callable<Integer> {
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @Spec
  private CommandSpec spec;

  @Option(
      names = "--commands",
      defaultValue = "1000000",
      paramLabel = "N",
      description = "How many commands the dispatch burst routes (default: ${DEFAULT-VALUE}).")
  private int burstSize;

  @Option(
      names = "--processes",
      defaultValue = "1000",
      paramLabel = "N",
      description = "How many step processes run round trips (default: ${DEFAULT-VALUE}).")
  private int processes;

  @Option(
      names = "--round-trips",
      defaultValue = "1000",
      paramLabel = "N",
      description = "How many round trips each of them runs (default: ${DEFAULT-VALUE}).")
  private int roundTrips;

  @Option(
      names = "--tasks",
      defaultValue = "100000",
      paramLabel = "N",
      description = "How many task calls the task burst makes (default: ${DEFAULT-VALUE}).")
  private int taskCalls;

  @Option(
      names = "--no-progress",
      description = "No progress bar (the phases' output and the summary still print).")
  private boolean noProgress;

  @Option(
      names = "--serve",
      description =
          "After the workload, keep the node and its dashboard up with a gentle workload until"
              + " interrupted.")
  private boolean serve;

  @Option(
      names = "--port",
      defaultValue = "7070",
      paramLabel = "PORT",
      description = "The dashboard's port with --serve; 0 picks a free one (default: 7070).")
  private int port;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      paramLabel = "ADDR",
      description =
          "The dashboard's address with --serve (default: 127.0.0.1); any other address needs"
              + " --token.")
  private String bind = "127.0.0.1";

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "The dashboard's access token with --serve (default: BATON_TOKEN, else none on"
              + " loopback).")
  private @Nullable String token;

  /** The progress bar's style; {@code null} detects it (tests set it). */
  ProgressBar.@Nullable Style progressStyle;

  /** Changes the demo node's configuration; tests disable a module to see a phase fail. */
  java.util.function.UnaryOperator<NodeConfig.Builder> configure = builder -> builder;

  /** Receives the serve loop once it runs, so a test can stop it without a signal. */
  java.util.function.@Nullable Consumer<ServeLoop> onServe;

  /** Created by picocli. */
  public DemoCommand() {}

  /** One phase's outcome, for the summary. */
  private record PhaseOutcome(
      String name, String unit, long count, long nanos, @Nullable String failure) {}

  /** A phase's body: writes what it shows to {@code out}, counts on {@code phase}. */
  @FunctionalInterface
  private interface PhaseBody {
    /** Returns null if the phase did what it shows, else why not. */
    @Nullable String run(PrintWriter out, ProgressBar.Phase phase) throws Exception;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (burstSize < 1 || processes < 1 || roundTrips < 1 || taskCalls < 1) {
      err.printf(
          "baton demo: --commands, --processes, --round-trips and --tasks must be at least 1,"
              + " were %d, %d, %d, %d%n",
          burstSize, processes, roundTrips, taskCalls);
      return 2;
    }
    NodeConfig config;
    try {
      config = nodeConfig();
    } catch (NodeConfigException | IllegalArgumentException e) {
      err.println("baton demo: " + forTheDemo(String.valueOf(e.getMessage())));
      return 2;
    }
    out.println("Baton demo: a node on the embedded default (no server needed)");
    long bootStart = System.nanoTime();
    Node node;
    try {
      node = Node.start(config, List.of(new DemoExtension()));
    } catch (NodeConfigException | IllegalArgumentException e) {
      err.println("baton demo: " + forTheDemo(String.valueOf(e.getMessage())));
      return 2;
    } catch (RuntimeException e) {
      err.println("baton demo: the node did not start: " + Messages.rootMessage(e));
      return 1;
    }
    List<PhaseOutcome> outcomes = new ArrayList<>();
    ProgressBar.Style style =
        noProgress
            ? ProgressBar.Style.OFF
            : progressStyle != null ? progressStyle : ProgressBar.Style.detect();
    try (node;
        ProgressBar bar = new ProgressBar(err, style)) {
      out.printf(
          Locale.ROOT,
          "Node '%s' started in %.0f ms: %d scheduler workers, every standard module, local"
              + " tasks, the demo extension%n%n",
          node.name(),
          (System.nanoTime() - bootStart) / 1e6,
          node.scheduler().parallelism());
      TaskApp app = node.tasks().orElseThrow();
      String tokenStore = config.modules().security().store();
      outcomes.add(
          phase(bar, out, "dispatch", "commands", burstSize, (o, p) -> dispatch(o, node, p)));
      outcomes.add(
          phase(
              bar,
              out,
              "processes",
              "round trips",
              (long) processes * roundTrips,
              (o, p) -> {
                ProcessesDemo.run(o, node.scheduler(), processes, roundTrips, p);
                return null;
              }));
      outcomes.add(
          phase(
              bar,
              out,
              "tasks",
              "calls",
              taskCalls,
              (o, p) ->
                  TasksDemo.run(o, app, taskCalls, p)
                      ? null
                      : "not every call of the burst succeeded"));
      outcomes.add(
          phase(
              bar,
              out,
              "modules",
              "families",
              ModulesDemo.FAMILIES,
              (o, p) ->
                  ModulesDemo.run(o, node.scheduler(), tokenStore, p)
                      ? null
                      : "a module did not do what it shows"));
      printSummary(out, outcomes, node.view().snapshot());
      List<PhaseOutcome> failed =
          outcomes.stream().filter(outcome -> outcome.failure() != null).toList();
      for (PhaseOutcome outcome : failed) {
        err.println("baton demo: phase " + outcome.name() + " failed: " + outcome.failure());
      }
      if (serve) {
        ServeLoop loop = new ServeLoop(node, app, out);
        if (onServe != null) {
          onServe.accept(loop);
        }
        loop.run();
      }
      out.flush();
      return failed.isEmpty() ? 0 : 1;
    }
  }

  /**
   * A configuration error in the demo's words: the node names its keys (dashboard.token), the demo
   * sets them from options.
   */
  static String forTheDemo(String message) {
    return message.contains("dashboard.token")
        ? message + " (for baton demo: pass --token TOKEN or set BATON_TOKEN)"
        : message;
  }

  private NodeConfig nodeConfig() {
    NodeConfig.Builder builder = NodeConfig.defaults().toBuilder().name("demo");
    if (serve) {
      @Nullable String chosenToken = token != null ? token : System.getenv("BATON_TOKEN");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--port must be from 0 to 65535, was " + port);
      }
      builder.dashboard(true).dashboardAddress(bind, port).dashboardToken(chosenToken);
    } else {
      builder.dashboard(false);
    }
    return configure.apply(builder).build();
  }

  /** Runs one phase under its progress bar, then prints what it showed. */
  private static PhaseOutcome phase(
      ProgressBar bar, PrintWriter out, String name, String unit, long total, PhaseBody body) {
    StringWriter shown = new StringWriter();
    @Nullable String failure;
    ProgressBar.Phase phase = bar.start(name, total);
    try (PrintWriter phaseOut = new PrintWriter(shown)) {
      failure = body.run(phaseOut, phase);
    } catch (Exception e) {
      failure = Messages.rootMessage(e);
    } finally {
      phase.close();
    }
    out.print(shown);
    out.println();
    out.flush();
    return new PhaseOutcome(name, unit, phase.count(), phase.elapsedNanos(), failure);
  }

  private static void printSummary(
      PrintWriter out, List<PhaseOutcome> outcomes, NodeSnapshot snapshot) {
    out.println("Summary (not a benchmark; see docs/benchmarks.md):");
    out.printf(Locale.ROOT, "  %-10s %14s %11s %14s%n", "phase", "count", "time", "per second");
    for (PhaseOutcome outcome : outcomes) {
      double seconds = Math.max(1e-9, outcome.nanos() / 1e9);
      out.printf(
          Locale.ROOT,
          "  %-10s %,14d %8.0f ms %14s  %s%s%n",
          outcome.name(),
          outcome.count(),
          outcome.nanos() / 1e6,
          ProgressBar.rate(outcome.count() / seconds),
          outcome.unit(),
          outcome.failure() == null ? "" : "  FAILED: " + outcome.failure());
    }
    NodeSnapshot.TaskCounts tasks = snapshot.tasks();
    out.printf(
        Locale.ROOT,
        "  node '%s': %,d commands dispatched (%s)%n",
        snapshot.node(),
        snapshot.commandsDispatched(),
        byModule(snapshot.commandsByModule()));
    out.printf(
        Locale.ROOT,
        "  tasks: %,d sent, %,d succeeded, %,d failed, %,d retried, %,d dead-lettered%n",
        tasks.sent(),
        tasks.succeeded(),
        tasks.failed(),
        tasks.retried(),
        tasks.deadLettered());
  }

  /** How many modules the summary names; the rest only count in the total. */
  static final int TOP_MODULES = 4;

  /**
   * The commands per module, most first (ties by name, so runs print alike); when there are more
   * than {@value #TOP_MODULES} modules it says that these are the top ones of how many.
   */
  static String byModule(Map<String, Long> byModule) {
    List<String> top =
        byModule.entrySet().stream()
            .sorted(
                Map.Entry.<String, Long>comparingByValue()
                    .reversed()
                    .thenComparing(Map.Entry.comparingByKey()))
            .limit(TOP_MODULES)
            .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
            .toList();
    String shown = String.join(", ", top);
    return byModule.size() <= TOP_MODULES
        ? shown
        : "top " + TOP_MODULES + " of " + byModule.size() + " modules: " + shown;
  }

  /** Dispatches down every path, shows the collision and the burst. */
  private @Nullable String dispatch(PrintWriter out, Node node, ProgressBar.Phase phase)
      throws InterruptedException {
    AppContext services = node.services();
    Registry registry = services.require(Registry.KEY);
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
    out.println();

    out.println("A second module claiming id 256 is refused at start-up:");
    out.println("  " + collisionMessage());
    out.println();

    long completed = burst(out, router, caller, phase);
    cancellation.cancel();
    return completed == burstSize
        ? null
        : "only " + completed + " of " + burstSize + " burst commands completed";
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

  /** Boots a small core in which two modules claim the same id, and returns why it refused. */
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

  /** Routes {@link #burstSize} commands that complete at once; returns how many completed. */
  private long burst(
      PrintWriter out, CommandRouter router, CommandContext caller, ProgressBar.Phase phase) {
    LongAdder completed = new LongAdder();
    ResultReceiver counting =
        (tag, result, error) -> {
          if (error == null) {
            completed.increment();
          }
        };
    GreeterModule.Greet greet = new GreeterModule.Greet("burst");
    for (int tag = 1; tag <= burstSize; tag++) {
      router.route(caller, greet, tag, counting);
      if ((tag & 1023) == 0) {
        phase.add(1024);
      }
    }
    phase.add(burstSize & 1023);
    out.printf(
        Locale.ROOT, "Burst: %,d commands routed and completed on one thread%n", completed.sum());
    return completed.sum();
  }

  /** A command no module of this node handles. */
  private record Unrouted(CommandId commandId) implements Command<Object> {}
}
