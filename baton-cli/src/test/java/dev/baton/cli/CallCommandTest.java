package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.cli.demo.DemoExtension;
import dev.baton.node.Node;
import dev.baton.node.NodeConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton call} against a worker node on a real Redis (BATON_REDIS_URI, default
 * redis://127.0.0.1:6379): the node runs in-process with the demo extension, remote tasks on that
 * Redis, and the command calls it the way a user on another machine would.
 */
class CallCommandTest {
  private static final String REDIS =
      System.getenv().getOrDefault("BATON_REDIS_URI", "redis://127.0.0.1:6379");

  private static Node worker;

  @BeforeAll
  static void startTheWorker() {
    worker =
        Node.start(
            NodeConfig.defaults().toBuilder()
                .name("call-test-worker")
                .dashboard(false)
                .remoteTasks(URI.create(REDIS), null)
                .build(),
            List.of(new DemoExtension()));
  }

  @AfterAll
  static void stopTheWorker() {
    worker.close();
  }

  @Test
  void call_printsTheResultAsJson() {
    CliRun run = CliRun.run("call", "add", "[40, 2]", "--broker", REDIS, "--timeout", "20s");

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out().strip()).isEqualTo("42");
  }

  @Test
  void call_ofARecordReturningTask_printsItsFieldsAsJson() {
    CliRun run = CliRun.run("call", "billing.invoice", "[\"ada\", [1250, 399]]", "--broker", REDIS);

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out()).contains("\"customer\":\"ada\"").contains("\"cents\":1649");
  }

  @Test
  void call_withTheBrokerFromANodeConfig_works(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, "tasks:\n  mode: remote\n  broker:\n    uri: " + REDIS + "\n");

    CliRun run = CliRun.run("call", "greet", "[\"Ada\"]", "--config", config.toString());

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out().strip()).isEqualTo("\"Hello, Ada!\"");
  }

  @Test
  void call_ofAFailingTask_printsItsCodeAndMessage_andExitsOne() {
    CliRun run = CliRun.run("call", "fail", "[\"on purpose\"]", "--broker", REDIS);

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .contains("fail failed: [TASK_FAILED]")
        .contains("fails on purpose: on purpose");
  }

  @Test
  void call_withArgumentsThatAreNotAJsonArray_isAUsageError_beforeConnecting() {
    CliRun badJson = CliRun.run("call", "add", "[1, 2", "--broker", "redis://127.0.0.1:1");
    CliRun notArray = CliRun.run("call", "add", "{\"a\": 1}", "--broker", "redis://127.0.0.1:1");

    assertThat(badJson.exitCode()).isEqualTo(2);
    assertThat(badJson.err())
        .contains("ARGS is not valid JSON (Unexpected end-of-input")
        .contains(", at column ")
        .doesNotContain("Source:")
        .contains("'[1, \"two\"]'");
    assertThat(notArray.exitCode()).isEqualTo(2);
    assertThat(notArray.err()).contains("ARGS must be a JSON array").contains("(was object)");
  }

  @Test
  void call_withoutABroker_orWithAnUnknownScheme_isAUsageError() {
    CliRun none = CliRun.run("call", "add", "[1, 2]");
    CliRun scheme = CliRun.run("call", "add", "[1, 2]", "--broker", "http://127.0.0.1:6379");

    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("no broker: pass --broker URI");
    assertThat(scheme.exitCode()).isEqualTo(2);
    assertThat(scheme.err()).contains("must start with redis://, rediss://, amqp:// or amqps://");
  }

  @Test
  void call_whenTheBrokerIsUnreachable_namesItsUri_andExitsThree() {
    CliRun run = CliRun.run("call", "add", "[1, 2]", "--broker", "redis://127.0.0.1:1");

    assertThat(run.exitCode()).as(run.both()).isEqualTo(3);
    assertThat(run.err()).contains("cannot reach the broker at redis://127.0.0.1:1");
  }

  @Test
  void call_whenTheBrokerRefusesTheLogin_namesTheUriWithoutThePassword_andExitsThree() {
    URI amqp =
        URI.create(
            System.getenv()
                .getOrDefault("BATON_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/%2F"));
    String wrongLogin =
        "amqp://guest:not-the-password@" + amqp.getHost() + ":" + amqp.getPort() + "/%2F";

    CliRun run = CliRun.run("call", "add", "[1, 2]", "--broker", wrongLogin);

    assertThat(run.exitCode()).as(run.both()).isEqualTo(3);
    assertThat(run.err())
        .contains("cannot reach the broker at amqp://guest:***@")
        .doesNotContain("not-the-password")
        .doesNotContain("..");
  }

  @Test
  void call_withATimeoutThatIsNotADuration_isAUsageError() {
    CliRun run = CliRun.run("call", "add", "[1, 2]", "--broker", REDIS, "--timeout", "soon");
    CliRun zero = CliRun.run("call", "add", "[1, 2]", "--broker", REDIS, "--timeout", "0s");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("'soon' is not a duration; write e.g. 500ms, 30s, 5m, 1h");
    assertThat(zero.exitCode()).isEqualTo(2);
    assertThat(zero.err()).contains("'0s' must be a positive duration");
    CliRun noUnit = CliRun.run("call", "add", "[1, 2]", "--broker", REDIS, "--timeout", "30");
    assertThat(noUnit.exitCode()).isEqualTo(2);
    assertThat(noUnit.err()).contains("'30' has no unit; write e.g. 30s");
  }

  @Test
  void durations_readUnitsAndIso8601() {
    Durations durations = new Durations();

    assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(durations.convert("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(durations.convert("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(durations.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(durations.convert("PT2S")).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void parseArguments_turnsTheJsonArrayIntoPlainValues() {
    assertThat(CallCommand.parseArguments("[1, \"two\", [3], {\"four\": 4}, null, true]"))
        .containsExactly(1, "two", List.of(3), Map.of("four", 4), null, true);
    assertThat(CallCommand.parseArguments("[]")).isEmpty();
    assertThatThrownBy(() -> CallCommand.parseArguments("42"))
        .hasMessageContaining("(was number); a single argument is '[42]'");
  }
}
