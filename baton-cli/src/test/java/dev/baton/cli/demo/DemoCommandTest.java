package dev.baton.cli.demo;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.cli.CliRun;
import dev.baton.node.Node;
import dev.baton.node.NodeConfig;
import dev.baton.process.Pid;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.testing.TestNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
  private static final String[] SMALL = {
    "demo", "--commands", "10000", "--processes", "50", "--round-trips", "100", "--tasks", "2000"
  };

  private static DemoCommand demoOf(CommandLine commandLine) {
    return requireNonNull(commandLine.getSubcommands().get("demo")).getCommand();
  }

  private static String[] small(String... more) {
    String[] args = new String[SMALL.length + more.length];
    System.arraycopy(SMALL, 0, args, 0, SMALL.length);
    System.arraycopy(more, 0, args, SMALL.length, more.length);
    return args;
  }

  @Test
  void demo_runsEveryPhaseOnANode_printsTheSummary_andExitsZero() {
    CliRun run =
        CliRun.run(
            commandLine -> demoOf(commandLine).progressStyle = ProgressBar.Style.LINES, SMALL);

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("Node 'demo' started in ")
        // dispatch
        .contains("-> \"Hello, Ada!\"")
        .contains("-> \"Hello, Grace!\"")
        .contains("error IllegalArgumentException: a greeting needs a name")
        .contains("error UnknownCommandException: unknown command: no handler for command 999")
        .contains("command 256 is already reserved by module 'greeter'; module 'impostor' cannot")
        .contains("Burst: 10,000 commands routed and completed")
        // processes
        .contains(
            "yielded 3 Greet commands and resumed with [Hello, Ada!, Hello, Grace!, Hello, Linus!]")
        .contains("called GreetLater in straight-line code and got \"Hello, Barbara!\"")
        .contains("50 processes x 100 round trips (yield -> handler -> resume)")
        // tasks
        .contains("add(1, 2) -> 3, reports [SENT, PROGRESS, SUCCESS]")
        .contains("-> Invoice[customer=ada, cents=1649]")
        .contains("flaky(\"done\") -> DONE after 3 attempts")
        .contains("[UNKNOWN_TASK] no task named 'nope'")
        .contains("[BAD_ARGUMENTS]")
        .contains("burst: 2,000 calls of add")
        // modules, both parts
        .contains("Exec (spawn and wait) -> \"child says hi\"")
        .contains("a 10 ms ticker sent 3 ticks (sequence numbers [")
        .contains("delivered to 1 subscription, received \"order #1\"")
        .contains("a second one -> VersionConflictException (found version ")
        .contains("function: Call add(2, 3) -> 5")
        .contains("exec: Start printf %s '$(id)' -> \"$(id)\", exit 0")
        .contains("on the default H2 database -> \"kept in H2\"")
        .contains("ValidateToken -> subject user:42")
        .contains("Download demo/hello.txt -> \"stored on the local backend\"")
        .contains("with {a: 6, b: 7} -> 42")
        .contains("journaled once -> \"hello, Ada!\"")
        .contains("on the shared binding -> \"hi Bo\"")
        // summary
        .contains("Summary (not a benchmark")
        .containsPattern("dispatch +10,000 +\\d+ ms +\\S+ +commands")
        .containsPattern("processes +5,000 +\\d+ ms +\\S+ +round trips")
        .containsPattern("tasks +2,000 +\\d+ ms +\\S+ +calls")
        .containsPattern("modules +12 +\\d+ ms +\\S+ +families")
        .containsPattern(
            "node 'demo': [\\d,]+ commands dispatched \\(top 4 of 1[0-9] modules: greeter [\\d,]+")
        .containsPattern("tasks: [\\d,]+ sent, [\\d,]+ succeeded, [\\d,]+ failed, [\\d,]+ retried");
    // Not a terminal: one progress line per phase at 0, 50 and 100%.
    assertThat(run.err())
        .containsPattern("dispatch +\\[\\.+\\] +0%")
        .containsPattern("dispatch +\\[#+\\] 100%  10,000/10,000")
        .containsPattern("modules +\\[#+\\] 100%  12/12")
        .doesNotContain("\r");
  }

  @Test
  void demo_whenAPhaseFails_stillPrintsTheSummary_namesThePhase_andExitsOne() {
    CliRun run =
        CliRun.run(
            commandLine -> demoOf(commandLine).configure = builder -> builder.disable("eval"),
            small("--no-progress"));

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    assertThat(run.out()).contains("Summary").containsPattern("modules +\\d+ .*FAILED: ");
    assertThat(run.err())
        .contains("baton demo: phase modules failed: ")
        .contains("eval")
        .doesNotContain("phase tasks failed");
  }

  @Test
  void demo_noProgress_printsNoBar() {
    CliRun run = CliRun.run(small("--no-progress"));

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.err()).doesNotContain("%");
    assertThat(run.out()).contains("Summary");
  }

  @Test
  void demo_withANonPositiveSize_explainsTheOption_andExitsTwo() {
    CliRun run = CliRun.run("demo", "--commands", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("must be at least 1, were 0, 1000, 1000, 100000");
  }

  @Test
  void demo_withAnOptionThatIsNotANumber_orUnknown_exitsTwoNamingIt() {
    CliRun notNumber = CliRun.run("demo", "--tasks", "many");
    CliRun unknown = CliRun.run("demo", "--tsaks", "5");
    CliRun badPort = CliRun.run("demo", "--serve", "--port", "70000");

    assertThat(notNumber.exitCode()).isEqualTo(2);
    assertThat(notNumber.err()).contains("--tasks").contains("many");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("--tsaks");
    assertThat(badPort.exitCode()).isEqualTo(2);
    assertThat(badPort.err()).contains("--port must be from 0 to 65535, was 70000");
    CliRun shortToken = CliRun.run("demo", "--serve", "--token", "short");
    assertThat(shortToken.exitCode()).isEqualTo(2);
    assertThat(shortToken.err())
        .contains("dashboard.token must have from 16 to 512 characters")
        .contains("(for baton demo: pass --token TOKEN or set BATON_TOKEN)");
  }

  @Test
  void demo_serve_keepsTheDashboardUpUnderAWorkload_untilStopped() throws Exception {
    AtomicReference<@Nullable String> page = new AtomicReference<>();
    AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    CliRun run =
        CliRun.run(
            commandLine ->
                demoOf(commandLine).onServe =
                    loop -> {
                      Thread client =
                          new Thread(
                              () -> {
                                try {
                                  page.set(fetchWhileServing(loop));
                                } catch (Throwable e) {
                                  failure.set(e);
                                } finally {
                                  loop.stop();
                                }
                              },
                              "demo-serve-client");
                      client.setDaemon(true);
                      client.start();
                    },
            small("--no-progress", "--serve", "--port", "0"));

    assertThat(failure.get()).isNull();
    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .containsPattern("Dashboard: http://127\\.0\\.0\\.1:\\d+/")
        .contains("Ctrl+C stops the node");
    assertThat(page.get()).contains("\"node\":\"demo\"");
  }

  /** Waits until the workload has run a few ticks, then reads the live node's snapshot. */
  private static String fetchWhileServing(ServeLoop loop) throws Exception {
    assertThat(loop.awaitRunning(TestNode.BOUND)).isTrue();
    TestNode.awaitCondition("three workload ticks", () -> loop.ticks() >= 3);
    int port = loop.node().dashboardAddress().orElseThrow().getPort();
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/snapshot"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.body();
    }
  }

  @Test
  void serveLoopsLongLivedProcess_endsWhenTheNodeCancelsIt_notAtTheShutdownDeadline()
      throws Exception {
    NodeConfig.SchedulerConfig defaults = NodeConfig.defaults().scheduler();
    Node node =
        Node.start(
            NodeConfig.defaults().toBuilder()
                .name("serve-cancel")
                .dashboard(false)
                .scheduler(
                    new NodeConfig.SchedulerConfig(
                        defaults.workers(),
                        defaults.maxProcesses(),
                        defaults.mailboxCapacity(),
                        Duration.ofHours(1)))
                .build(),
            List.of(new DemoExtension()));
    Pid pid = node.scheduler().spawnCoroutine(new ServeLoop.GreetAndSleep());
    try {
      TestNode.awaitCondition(
          "the process waits between greetings",
          () -> node.view().snapshot().commandsByModule().getOrDefault("greeter", 0L) >= 1);
      Thread closer = new Thread(node::close, "serve-cancel-closer");
      closer.setDaemon(true);
      closer.start();

      assertThat(node.awaitStopped(TestNode.BOUND))
          .as("the node stopped within %s, long before its 1 h process deadline", TestNode.BOUND)
          .isTrue();
    } finally {
      try {
        node.scheduler().terminate(pid, "the test is over");
      } catch (ProcessNotFoundException ended) {
        // it ended as it should
      }
      node.close();
    }
  }

  @Test
  void summaryByModule_namesTheTopModules_andSaysSoWhenItLeavesSomeOut() {
    assertThat(DemoCommand.byModule(Map.of("greeter", 10L, "clock", 3L)))
        .isEqualTo("greeter 10, clock 3");
    assertThat(
            DemoCommand.byModule(
                Map.of("greeter", 2_000L, "sql", 3L, "clock", 3L, "store", 3L, "eval", 1L)))
        .isEqualTo("top 4 of 5 modules: greeter 2,000, clock 3, sql 3, store 3");
  }

  @Test
  void progressStyle_followsWhatTheLauncherSaysOfStderr_elseTheConsole() {
    assertThat(ProgressBar.Style.of("false", true)).isEqualTo(ProgressBar.Style.LINES);
    assertThat(ProgressBar.Style.of("true", false)).isEqualTo(ProgressBar.Style.TTY);
    assertThat(ProgressBar.Style.of(null, true)).isEqualTo(ProgressBar.Style.TTY);
    assertThat(ProgressBar.Style.of(null, false)).isEqualTo(ProgressBar.Style.LINES);
  }

  @Test
  void progressBar_onATerminal_redrawsOneLineInPlace() {
    StringWriter err = new StringWriter();
    try (ProgressBar bar = new ProgressBar(new PrintWriter(err), ProgressBar.Style.TTY)) {
      ProgressBar.Phase phase = bar.start("work", 4);
      phase.add(4);
      phase.close();
    }

    assertThat(err.toString())
        .startsWith("\rwork ")
        .containsPattern("\rwork +\\[#{24}\\] 100%  4/4 ")
        .endsWith(System.lineSeparator());
  }

  @Test
  void baton_withoutASubcommand_listsTheSubcommands() {
    CliRun run = CliRun.run();

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("Usage: baton")
        .contains("demo")
        .contains("node")
        .contains("call")
        .contains("inspect");
  }

  @Test
  void baton_version_isTheOneMavenBuilt() {
    CliRun run = CliRun.run("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().strip()).matches("baton \\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void baton_withAnUnknownSubcommand_saysSoAndExitsTwo() {
    CliRun run = CliRun.run("dmeo");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("dmeo");
  }
}
