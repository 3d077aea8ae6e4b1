package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.modules.clock.Clock;
import dev.baton.node.Node;
import dev.baton.node.NodeConfig;
import dev.baton.process.Pid;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class InspectCommandTest {

  private static Node nodeWithDashboard(@Nullable String token) {
    return Node.start(
        NodeConfig.defaults().toBuilder()
            .name("inspected")
            .dashboard(true)
            .dashboardAddress("127.0.0.1", 0)
            .dashboardToken(token)
            .build());
  }

  private static String url(Node node) {
    return "http://127.0.0.1:" + node.dashboardAddress().orElseThrow().getPort();
  }

  @Test
  void inspect_printsTheNodesCountersProcessesQueuesAndWorkers() {
    try (Node node = nodeWithDashboard(null)) {
      Pid sleeper =
          node.scheduler()
              .spawnCoroutine(
                  (p, input) -> {
                    p.call(new Clock.Sleep(Duration.ofMinutes(5)));
                    return null;
                  });

      CliRun run = CliRun.run("inspect", "--url", url(node));

      assertThat(run.exitCode()).as(run.both()).isZero();
      assertThat(run.out())
          .contains("node inspected, up since ")
          .contains("commands dispatched ")
          .contains("tasks sent ")
          .contains("processes (")
          .containsPattern("PID +TYPE +STATE +STEPS")
          .contains(sleeper.toString())
          .contains("queues (")
          .contains("workers (");
      node.scheduler().terminate(sleeper, "the test is over");
    }
  }

  @Test
  void inspect_oneSection_asJson_printsTheApisJson() {
    try (Node node = nodeWithDashboard(null)) {
      Pid sleeper =
          node.scheduler()
              .spawnCoroutine(
                  (p, input) -> {
                    p.call(new Clock.Sleep(Duration.ofMinutes(5)));
                    return null;
                  });

      CliRun run = CliRun.run("inspect", "--url", url(node) + "/", "--json", "processes");

      assertThat(run.exitCode()).as(run.both()).isZero();
      assertThat(run.out().strip()).startsWith("[").endsWith("]").contains("\"state\"");
      node.scheduler().terminate(sleeper, "the test is over");
    }
  }

  @Test
  void inspect_withoutTheToken_tellsTheUserToPassIt_andExitsFour() {
    try (Node node = nodeWithDashboard("s3cret-token-for-the-test")) {
      CliRun refused = CliRun.run("inspect", "--url", url(node), "queues");
      CliRun wrong = CliRun.run("inspect", "--url", url(node), "--token", "nope", "queues");
      CliRun allowed =
          CliRun.run(
              "inspect", "--url", url(node), "--token", "s3cret-token-for-the-test", "queues");

      assertThat(refused.exitCode()).as(refused.both()).isEqualTo(4);
      assertThat(refused.err()).contains("requires a token: pass --token TOKEN or set BATON_TOKEN");
      assertThat(wrong.exitCode()).isEqualTo(4);
      assertThat(wrong.err()).contains("refused the token (401)");
      assertThat(allowed.exitCode()).as(allowed.both()).isZero();
      assertThat(allowed.out()).contains("queues (");
    }
  }

  @Test
  void inspect_whereNoNodeListens_saysSoAndHowToStartOne_andExitsThree() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }

    CliRun run = CliRun.run("inspect", "--url", "http://127.0.0.1:" + port);

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err())
        .contains("no node answers at http://127.0.0.1:" + port)
        .contains("baton demo --serve");
  }

  @Test
  void inspect_anUnknownSectionOrABadUrl_isAUsageError() {
    CliRun section = CliRun.run("inspect", "nodes");
    CliRun url = CliRun.run("inspect", "--url", "ftp://example");

    assertThat(section.exitCode()).isEqualTo(2);
    assertThat(section.err()).contains("unknown section 'nodes'").contains("dead-letters");
    assertThat(url.exitCode()).isEqualTo(2);
    assertThat(url.err()).contains("must be http://HOST:PORT");
  }

  @Test
  void pairs_putTheLargestCountFirst_withThousandsSeparators() throws Exception {
    JsonNode byModule =
        new ObjectMapper()
            .readTree("{\"sql\": 3, \"greeter\": 2000174, \"clock\": 18, \"eval\": 3}");

    assertThat(InspectCommand.pairs(byModule))
        .isEqualTo("greeter 2,000,174, clock 18, eval 3, sql 3");
  }
}
