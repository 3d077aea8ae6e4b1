package dev.baton.cli;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.node.Node;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NodeCommandTest {

  @Test
  void node_withABadKey_printsTheKey_andExitsTwo(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, "name: bad-key\nscheduler:\n  wrokers: 4\n");

    CliRun run = CliRun.run("node", "--config", config.toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.err()).startsWith("baton node: ").contains("scheduler.wrokers");
  }

  @Test
  void node_withAMissingFile_saysWhich_andExitsTwo(@TempDir Path dir) {
    CliRun run = CliRun.run("node", "--config", dir.resolve("absent.yaml").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("absent.yaml");
  }

  @Test
  void node_withoutConfig_isAUsageError() {
    CliRun run = CliRun.run("node");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--config");
  }

  @Test
  void node_printsWhatItBooted_runsUntilStopped_andExitsZero(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("node.yaml");
    Files.writeString(
        config,
        """
        name: worker-1
        dashboard:
          port: 0
        modules:
          disabled: [eval, workflow]
        extensions: [demo]
        """);
    AtomicReference<@Nullable Node> seen = new AtomicReference<>();

    CliRun run =
        CliRun.run(
            commandLine -> {
              NodeCommand command =
                  requireNonNull(commandLine.getSubcommands().get("node")).getCommand();
              command.onStarted =
                  node -> {
                    seen.set(node);
                    node.close();
                  };
            },
            "node",
            "--config",
            config.toString());

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("Node 'worker-1' started in ")
        .contains("tasks      local (in-process queue)")
        .doesNotContain("eval")
        .contains("extensions demo")
        .containsPattern("dashboard  http://127\\.0\\.0\\.1:\\d+/, Prometheus at /metrics")
        .contains("Node 'worker-1' stopped.");
    assertThat(seen.get()).isNotNull();
  }

  @Test
  void everyCommandsHelp_explainsItsOptions_andItsExitCodes() {
    for (String command : new String[] {"demo", "node", "call", "inspect"}) {
      CliRun run = CliRun.run(command, "--help");

      assertThat(run.exitCode()).as(command).isZero();
      assertThat(run.out()).as(command).contains("Usage: baton " + command).contains("Exit codes");
      assertThat(run.err()).as(command).isEmpty();
    }
  }

  @Test
  void everyCommandsHelp_fitsEightyColumns_andKeepsItsLinesAsWritten() {
    CommandLine baton = Main.newCommandLine();
    List<CommandLine> commands = new ArrayList<>(List.of(baton));
    commands.addAll(baton.getSubcommands().values());
    commands.removeIf(command -> command.getCommandName().equals("help")); // picocli's own
    for (CommandLine command : commands) {
      String name = command.getCommandName();
      String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
      assertThat(help.lines()).as(name).allSatisfy(line -> assertThat(line).hasSizeLessThan(81));
      List<String> written = new ArrayList<>();
      written.addAll(List.of(command.getCommandSpec().usageMessage().description()));
      written.addAll(List.of(command.getCommandSpec().usageMessage().footer()));
      for (String line : written) {
        // picocli formats the lines (%% is a percent sign); a line it had to re-wrap is not there
        assertThat(help).as(name).contains(line.replace("%%", "%").stripTrailing());
      }
    }
  }

  @Test
  void dashboardUrl_showsAWildcardBindAsLoopback_andBracketsIpv6() throws Exception {
    assertThat(
            NodeCommand.dashboardUrl(
                new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 7070)))
        .isEqualTo("http://127.0.0.1:7070");
    assertThat(
            NodeCommand.dashboardUrl(
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 7071)))
        .isEqualTo("http://127.0.0.1:7071");
    assertThat(
            NodeCommand.dashboardUrl(
                new InetSocketAddress(
                    InetAddress.getByAddress(
                        new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
                    7072)))
        .isEqualTo("http://[0:0:0:0:0:0:0:1]:7072");
  }
}
