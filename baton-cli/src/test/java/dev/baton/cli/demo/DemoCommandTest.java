package dev.baton.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.newCommandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  @Test
  void demo_bootsTheCore_sendsEveryPath_andExitsZero() {
    Run run =
        run(
            "demo",
            "--commands",
            "10000",
            "--processes",
            "50",
            "--round-trips",
            "100",
            "--tasks",
            "2000");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Boot order: dispatcher, time, demo.metrics, dispatcher.greeter, scheduler")
        .contains("Registry frozen: true")
        .contains("-> \"Hello, Ada!\"")
        .contains("-> \"Hello, Grace!\"")
        .contains("error IllegalArgumentException: a greeting needs a name")
        .contains("error UnknownCommandException: unknown command: no handler for command 999")
        .contains("it belongs to module 'store', which is not loaded")
        .contains("command 256 is already reserved by module 'greeter'; module 'impostor' cannot")
        .contains("Burst: 10,000 commands routed and completed")
        .contains(
            "yielded 3 Greet commands and resumed with [Hello, Ada!, Hello, Grace!, Hello, Linus!]")
        .contains("called GreetLater in straight-line code and got \"Hello, Barbara!\"")
        .contains("50 processes x 100 round trips (yield -> handler -> resume)")
        .contains("Interceptor saw 15,009 dispatches")
        .contains("add(1, 2) -> 3, reports [SENT, PROGRESS, SUCCESS]")
        .contains("-> Invoice[customer=ada, cents=1649]")
        .contains("flaky(\"done\") -> DONE after 3 attempts")
        .contains("[UNKNOWN_TASK] no task named 'nope'")
        .contains("[BAD_ARGUMENTS]")
        .contains("burst: 2,000 calls of add")
        .contains("process: spawned <")
        .contains("Exec (spawn and wait) -> \"child says hi\"")
        .contains("a 10 ms ticker sent 3 ticks (sequence numbers [")
        .contains("delivered to 1 subscription, received \"order #1\"")
        .contains("a second one -> VersionConflictException (found version ")
        .contains("Get -> \"node-a\"")
        .contains("function: Call add(2, 3) -> 5")
        .contains("exec: Start printf %s '$(id)' -> \"$(id)\", exit 0")
        .contains(
            "shut down in reverse order: scheduler, dispatcher.greeter, demo.metrics, time,"
                + " dispatcher");
  }

  @Test
  void demo_withANonPositiveBurst_explainsTheOptionAndExitsNonZero() {
    Run run = run("demo", "--commands", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("must be at least 1, were 0, 1000, 1000, 100000");
  }

  @Test
  void baton_withoutASubcommand_listsTheSubcommands() {
    Run run = run();

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("demo").contains("Usage: baton");
  }

  @Test
  void baton_version_isTheOneMavenBuilt() {
    Run run = run("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().strip()).matches("baton \\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void baton_withAnUnknownSubcommand_saysSoAndExitsNonZero() {
    Run run = run("dmeo");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("dmeo");
  }
}
