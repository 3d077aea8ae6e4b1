package dev.baton.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

  private static NodeConfig parse(String yaml) {
    return NodeConfig.parse(yaml, "node.yaml", name -> null);
  }

  private static NodeConfig parse(String yaml, Map<String, String> env) {
    return NodeConfig.parse(yaml, "node.yaml", env::get);
  }

  private static void fails(String yaml, String... fragments) {
    var thrown = assertThatThrownBy(() -> parse(yaml)).isInstanceOf(NodeConfigException.class);
    for (String fragment : fragments) {
      thrown.hasMessageContaining(fragment);
    }
  }

  @Test
  void defaults_needNoServer() {
    NodeConfig config = NodeConfig.defaults();
    assertThat(config.name()).isEqualTo("baton");
    assertThat(config.scheduler().workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.scheduler().maxProcesses()).isEqualTo(Integer.MAX_VALUE);
    assertThat(config.scheduler().mailboxCapacity()).isEqualTo(10_000);
    assertThat(config.scheduler().shutdownDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.tasks().enabled()).isTrue();
    assertThat(config.tasks().mode()).isEqualTo(NodeConfig.TasksConfig.Mode.LOCAL);
    assertThat(config.tasks().broker()).isNull();
    assertThat(config.tasks().shutdownGrace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.modules().disabled()).isEmpty();
    assertThat(NodeConfig.FAMILIES).allSatisfy(family -> assertThat(config.runs(family)).isTrue());
    assertThat(config.modules().store().backend()).isEqualTo(NodeConfig.StoreConfig.Backend.MEMORY);
    assertThat(config.modules().databases()).isEmpty();
    assertThat(config.modules().cloudstorageRoot()).isNull();
    assertThat(config.modules().security().hmacKey()).isNull();
    assertThat(config.modules().workflow().journal())
        .isEqualTo(NodeConfig.WorkflowConfig.Journal.MEMORY);
    assertThat(config.dashboard())
        .isEqualTo(new NodeConfig.DashboardConfig(true, "127.0.0.1", 7070, null));
    assertThat(config.metrics().enabled()).isTrue();
    assertThat(config.extensions()).isEmpty();
    assertThat(parse("")).isEqualTo(config);
  }

  @Test
  void everyKey_isReadFromYaml() {
    NodeConfig config =
        parse(
            """
            name: worker-1
            scheduler:
              workers: 3
              maxProcesses: 5000
              mailboxCapacity: 64
              shutdownDeadline: 250ms
            tasks:
              enabled: true
              mode: remote
              broker:
                uri: amqp://guest:guest@127.0.0.1:5672/%2F
              backend:
                uri: redis://127.0.0.1:6379
              workers:
                add: 2
                resize: 1
              shutdownGrace: 2m
            modules:
              disabled: [websocket, eval]
              store:
                backend: redis
                uri: redis://127.0.0.1:6379/2
              sql:
                databases:
                  reports:
                    url: jdbc:postgresql://127.0.0.1:5432/test
                    user: postgres
                    password: secret
                    poolSize: 3
              cloudstorage:
                root: /var/lib/baton/objects
              security:
                store: api
                issuer: me
                audience: you
                hmacKey: 0123456789abcdef0123456789abcdef
              workflow:
                journal: postgres
                url: jdbc:postgresql://127.0.0.1:5432/test
                user: postgres
                password: pw
                schema: flows
            dashboard:
              enabled: false
              bind: 0.0.0.0
              port: 0
              token: t0k3n-0f-sixteen-chars
            metrics:
              enabled: false
            extensions: [demo, other]
            """);
    assertThat(config.name()).isEqualTo("worker-1");
    assertThat(config.scheduler())
        .isEqualTo(new NodeConfig.SchedulerConfig(3, 5000, 64, Duration.ofMillis(250)));
    assertThat(config.tasks())
        .isEqualTo(
            new NodeConfig.TasksConfig(
                true,
                NodeConfig.TasksConfig.Mode.REMOTE,
                URI.create("amqp://guest:guest@127.0.0.1:5672/%2F"),
                URI.create("redis://127.0.0.1:6379"),
                Map.of("add", 2, "resize", 1),
                Duration.ofMinutes(2)));
    assertThat(config.modules().disabled()).isEqualTo(Set.of("websocket", "eval"));
    assertThat(config.runs("eval")).isFalse();
    assertThat(config.modules().store())
        .isEqualTo(
            new NodeConfig.StoreConfig(
                NodeConfig.StoreConfig.Backend.REDIS, URI.create("redis://127.0.0.1:6379/2")));
    assertThat(config.modules().databases())
        .containsExactly(
            new NodeConfig.DatabaseConfig(
                "reports", "jdbc:postgresql://127.0.0.1:5432/test", "postgres", "secret", 3));
    assertThat(config.modules().cloudstorageRoot()).isEqualTo(Path.of("/var/lib/baton/objects"));
    assertThat(config.modules().security())
        .isEqualTo(
            new NodeConfig.SecurityConfig("api", "me", "you", "0123456789abcdef0123456789abcdef"));
    assertThat(config.modules().workflow())
        .isEqualTo(
            new NodeConfig.WorkflowConfig(
                NodeConfig.WorkflowConfig.Journal.POSTGRES,
                "jdbc:postgresql://127.0.0.1:5432/test",
                "postgres",
                "pw",
                "flows"));
    assertThat(config.dashboard())
        .isEqualTo(new NodeConfig.DashboardConfig(false, "0.0.0.0", 0, "t0k3n-0f-sixteen-chars"));
    assertThat(config.metrics().enabled()).isFalse();
    assertThat(config.extensions()).containsExactly("demo", "other");
  }

  @Test
  void theBackend_defaultsToTheBroker() {
    NodeConfig config = parse("tasks: {mode: remote, broker: {uri: 'redis://127.0.0.1:6379'}}");
    assertThat(config.tasks().backend()).isNull();
    assertThat(config.tasks().backendOrBroker()).isEqualTo(URI.create("redis://127.0.0.1:6379"));
  }

  @Test
  void anUnknownKey_isRejectedWithItsPath_andTheClosestKnownKey() {
    fails(
        "dashboard:\n  prot: 8080\n",
        "node.yaml: dashboard.prot: unknown key; did you mean 'dashboard.port'?",
        "known keys here: enabled, bind, port, token");
    fails("sheduler:\n  workers: 2\n", "sheduler: unknown key; did you mean 'scheduler'?");
    fails(
        "tasks:\n  broker:\n    url: redis://x:1\n",
        "tasks.broker.url: unknown key; did you mean 'tasks.broker.uri'?");
    fails("colour: blue\n", "colour: unknown key (known keys here:");
  }

  @Test
  void aBadDuration_namesTheKeyTheValueAndTheForms() {
    fails(
        "scheduler:\n  shutdownDeadline: 10 seconds\n",
        "node.yaml: scheduler.shutdownDeadline: \"10 seconds\" is not a duration;"
            + " write a number with a unit: 250ms, 10s, 2m, 1h, 1d");
    fails("tasks:\n  shutdownGrace: 5\n", "tasks.shutdownGrace: 5 is not a duration");
  }

  @Test
  void aDurationTooLongForTheClock_isRefusedNamingTheLongestAccepted() {
    fails(
        "scheduler:\n  shutdownDeadline: 99999999999999999999s\n",
        "node.yaml: scheduler.shutdownDeadline: \"99999999999999999999s\" is too long;"
            + " use at most 106751d");
    fails(
        "tasks:\n  shutdownGrace: 106752d\n",
        "tasks.shutdownGrace: \"106752d\" is too long; use at most 106751d");
    assertThat(parse("tasks:\n  shutdownGrace: 106751d\n").tasks().shutdownGrace())
        .isEqualTo(Duration.ofDays(106751));
  }

  @Test
  void aBrokerPassword_staysOutOfErrorsAndToString() {
    fails(
        "tasks:\n  mode: remote\n  broker:\n    uri: \"http://guest:s3cret@x\"\n",
        "tasks.broker.uri: \"http://guest:***@x\" is not a broker URI");
    assertThatThrownBy(
            () -> parse("tasks:\n  mode: remote\n  broker:\n    uri: \"redis://u:s3cret@h:1 2\"\n"))
        .hasMessageNotContaining("s3cret");
    NodeConfig config =
        parse(
            """
            tasks:
              mode: remote
              broker: {uri: "amqp://guest:s3cret@127.0.0.1:5672/%2F"}
              backend: {uri: "redis://:s3cret@127.0.0.1:6379"}
            modules:
              store: {backend: redis, uri: "redis://:s3cret@127.0.0.1:6379/1"}
            """);
    assertThat(config.toString()).doesNotContain("s3cret").contains("guest:***@127.0.0.1");
    // An escaped character in the password must not let it through.
    assertThat(RemoteTasks.redact(URI.create("amqp://guest:p%40ss@127.0.0.1:5672/%2F")))
        .isEqualTo("amqp://guest:***@127.0.0.1:5672/%2F");
  }

  @Test
  void aDashboardBindThatIsNoAddress_isRefusedAsSuch_withoutALookup() {
    fails(
        "dashboard:\n  bind: not an address\n",
        "node.yaml: dashboard.bind: \"not an address\" is not an address;"
            + " use a literal IP address (127.0.0.1, 0.0.0.0, ::1) or localhost");
    fails("dashboard:\n  bind: example.com\n", "dashboard.bind: \"example.com\" is not an address");
    assertThat(parse("dashboard:\n  bind: \"::1\"\n").dashboard().bind()).isEqualTo("::1");
    assertThat(parse("dashboard:\n  bind: localhost\n").dashboard().bind()).isEqualTo("localhost");
    assertThatThrownBy(() -> NodeConfig.builder().dashboardAddress("", 0))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageStartingWith("dashboard.bind: ");
  }

  @Test
  void anEmptyObjectStoreRoot_meansTheDefault_notTheWorkingDirectory() {
    assertThat(parse("modules:\n  cloudstorage:\n    root: ''\n").modules().cloudstorageRoot())
        .isNull();
  }

  @Test
  void aBadBrokerUri_namesTheKeyAndTheAcceptedForms() {
    fails(
        "tasks:\n  mode: remote\n  broker:\n    uri: \"http://x\"\n",
        "node.yaml: tasks.broker.uri: \"http://x\" is not a broker URI;"
            + " use redis://host:port or amqp://user:pass@host:port/vhost");
    fails(
        "tasks:\n  mode: remote\n",
        "tasks.broker.uri: remote mode needs a broker; set it to redis://host:port");
    fails(
        "tasks:\n  mode: cloud\n",
        "tasks.mode: \"cloud\" is not accepted; use one of local, remote");
  }

  @Test
  void aBadPort_namesTheKeyAndTheRange() {
    fails(
        "dashboard:\n  port: 70000\n",
        "dashboard.port: 70000 is out of range; use 0 (any free port) to 65535");
    fails("dashboard:\n  port: high\n", "dashboard.port: \"high\" is not a whole number");
  }

  @Test
  void wrongTypesAndValues_nameTheKey() {
    fails(
        "scheduler:\n  workers: 0\n",
        "scheduler.workers: 0 is out of range; use a number of threads from 1 to 4096");
    fails(
        "metrics:\n  enabled: maybe\n",
        "metrics.enabled: \"maybe\" is not a boolean; use true or false");
    fails("scheduler: 4\n", "scheduler: 4 is not a section");
    fails(
        "modules:\n  disabled: [sql, telepathy]\n",
        "modules.disabled[1]: \"telepathy\" is not a module family");
    fails(
        "modules:\n  store:\n    backend: redis\n",
        "modules.store.uri: the redis store backend needs a URI");
    fails(
        "modules:\n  security:\n    hmacKey: short\n",
        "modules.security.hmacKey: the key has 5 bytes; HS256 needs at least 32");
    fails(
        "modules:\n  workflow:\n    journal: postgres\n",
        "modules.workflow.url: the postgres journal needs a URL");
    fails(
        "dashboard:\n  bind: 0.0.0.0\n",
        "dashboard.token: the dashboard binds 0.0.0.0, which is not a loopback address");
    fails(
        "dashboard:\n  token: short\n",
        "dashboard.token must have from 16 to 512 characters, had 5");
    fails("- a\n- b\n", "node.yaml: the document is a list");
    fails("name: [\n", "node.yaml: not valid YAML");
    fails("name: 'no spaces allowed'\n", "name: \"no spaces allowed\" is not a node name");
  }

  @Test
  void environmentVariables_areSubstituted_withDefaults() {
    NodeConfig config =
        parse(
            """
            name: ${NODE_NAME}
            dashboard:
              port: ${PORT:-7171}
              token: ${TOKEN:-}
            tasks:
              mode: remote
              broker:
                uri: redis://${REDIS_HOST:-127.0.0.1}:6379
            """,
            Map.of("NODE_NAME", "from-env", "REDIS_HOST", "10.0.0.9"));
    assertThat(config.name()).isEqualTo("from-env");
    assertThat(config.dashboard().port()).isEqualTo(7171);
    assertThat(config.dashboard().token()).isNull();
    assertThat(config.tasks().broker()).isEqualTo(URI.create("redis://10.0.0.9:6379"));
  }

  @Test
  void anUnsetVariableWithoutDefault_namesTheKeyAndTheVariable() {
    fails(
        "dashboard:\n  token: ${BATON_TOKEN}\n",
        "node.yaml: dashboard.token: environment variable BATON_TOKEN is not set;"
            + " set it, or give a default as ${BATON_TOKEN:-default}");
  }

  @Test
  void load_readsAFile_andAnUnreadableFileNamesIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, "name: from-file\nmetrics: {enabled: false}\n");
    NodeConfig config = NodeConfig.load(file);
    assertThat(config.name()).isEqualTo("from-file");
    assertThat(config.metrics().enabled()).isFalse();

    Path missing = dir.resolve("missing.yaml");
    assertThatThrownBy(() -> NodeConfig.load(missing))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageStartingWith(missing + ": cannot read the configuration file");
    Files.writeString(file, "dashboard: {prot: 1}\n");
    assertThatThrownBy(() -> NodeConfig.load(file))
        .hasMessageStartingWith(file + ": dashboard.prot: unknown key");
  }

  @Test
  void theBuilder_rejectsBadValuesNamingTheKey() {
    assertThatThrownBy(() -> NodeConfig.builder().dashboardAddress("127.0.0.1", -1).build())
        .isInstanceOf(NodeConfigException.class)
        .hasMessage("dashboard.port: -1 is not a port; use 0 (any free port) to 65535");
    assertThatThrownBy(() -> NodeConfig.builder().remoteTasks(URI.create("http://x"), null))
        .hasMessageStartingWith("tasks.broker.uri: \"http://x\" is not a broker URI");
    assertThatThrownBy(() -> NodeConfig.builder().taskWorkers("add", 0))
        .hasMessage("tasks.workers.add: 0 is too small; use 1 or more");
    assertThatThrownBy(() -> NodeConfig.builder().dashboardToken("x"))
        .hasMessageStartingWith("dashboard.token must have from 16 to 512 characters, had 1");
    assertThatThrownBy(() -> NodeConfig.builder().disable("nothing"))
        .hasMessageStartingWith("modules.disabled: \"nothing\" is not a module family");
    NodeConfig built =
        NodeConfig.builder()
            .name("n")
            .dashboard(false)
            .dashboardAddress("127.0.0.1", 0)
            .dashboardToken("a-token-of-24-characters")
            .remoteTasks(URI.create("redis://127.0.0.1:6379"), null)
            .taskWorkers("add", 2)
            .metrics(false)
            .extension("demo")
            .build();
    assertThat(built.toBuilder().build()).isEqualTo(built);
    assertThat(built.dashboard())
        .isEqualTo(
            new NodeConfig.DashboardConfig(false, "127.0.0.1", 0, "a-token-of-24-characters"));
    assertThat(built.tasks().workers()).isEqualTo(Map.of("add", 2));
    assertThat(built.extensions()).isEqualTo(List.of("demo"));
  }

  @Test
  void secrets_areNotPrinted() {
    NodeConfig config =
        parse(
            """
            dashboard: {token: hidden-token-of-sixteen}
            modules: {security: {hmacKey: 0123456789abcdef0123456789abcdef-secret}}
            """);
    assertThat(config.toString())
        .doesNotContain("hidden-token-of-sixteen")
        .doesNotContain("-secret");
  }
}
