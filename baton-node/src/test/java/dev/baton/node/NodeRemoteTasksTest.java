package dev.baton.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.amqp.AmqpBackend;
import dev.baton.amqp.AmqpBroker;
import dev.baton.node.spi.ExtensionContext;
import dev.baton.node.spi.NodeExtension;
import dev.baton.redis.RedisBackend;
import dev.baton.redis.RedisBroker;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A node in remote mode against the real servers (BATON_REDIS_URI, BATON_AMQP_URI; loopback by
 * default): the node is the worker, a second task app the caller. Task names are unique per run, so
 * runs and other tests sharing the servers do not meet.
 */
class NodeRemoteTasksTest {
  private static final Duration BOUND = Duration.ofSeconds(30);

  static URI redis() {
    String configured = System.getenv("BATON_REDIS_URI");
    return URI.create(configured != null ? configured : "redis://127.0.0.1:6379");
  }

  static URI amqp() {
    String configured = System.getenv("BATON_AMQP_URI");
    return URI.create(configured != null ? configured : "amqp://guest:guest@127.0.0.1:5672/%2F");
  }

  static NodeExtension extension(String name, Consumer<ExtensionContext> body) {
    return new NodeExtension() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void extend(ExtensionContext context) {
        body.accept(context);
      }
    };
  }

  static NodeConfig.Builder remote(URI broker) {
    return NodeConfig.builder()
        .dashboard(false)
        .disable("sql", "eval", "workflow", "cloudstorage", "websocket", "contract")
        .remoteTasks(broker, null);
  }

  /** A remote caller on {@code uri}'s broker and backend. */
  static TaskApp caller(URI uri, SystemTimeSource time) {
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    if (uri.getScheme().startsWith("redis")) {
      app.use(RedisBroker.connect(uri, time));
      app.use(RedisBackend.connect(uri, time));
    } else {
      app.use(AmqpBroker.connect(uri, time));
      app.use(AmqpBackend.connect(uri, time));
    }
    return app;
  }

  private static void nodeServesACaller(URI uri) throws Exception {
    String add = "node-add-" + UUID.randomUUID();
    NodeExtension tasks =
        extension(
            "adder",
            context -> {
              context.tasks().register(add, int.class, int.class, int.class, Integer::sum);
              context.allocate(add, 2);
            });
    try (SystemTimeSource time = new SystemTimeSource("caller-time");
        Node node = Node.start(remote(uri).build(), List.of(tasks));
        TaskApp caller = caller(uri, time)) {
      assertThat(node.tasks().orElseThrow().mode()).isEqualTo(TaskApp.Mode.REMOTE);
      caller.register(add, int.class, int.class, int.class, Integer::sum);
      for (int i = 0; i < 5; i++) {
        assertThat(caller.call(add, i, 40).await(BOUND)).isEqualTo(i + 40);
      }
      assertThat(node.view().snapshot().tasks().succeeded()).isEqualTo(5);
      assertThat(node.view().workers()).isNotEmpty();
    }
  }

  @Test
  void aNodeOnRedis_isAWorkerForARemoteCaller() throws Exception {
    nodeServesACaller(redis());
  }

  @Test
  void aNodeOnRabbitMq_isAWorkerForARemoteCaller() throws Exception {
    nodeServesACaller(amqp());
  }

  @Test
  void anUnreachableBroker_failsTheStartNamingTheKey() {
    assertThatThrownBy(() -> Node.start(remote(URI.create("redis://127.0.0.1:1")).build()))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageStartingWith("tasks.broker.uri: cannot connect to redis://127.0.0.1:1 (")
        .hasMessageEndingWith("check that the server runs and the URI is right");
    assertThatThrownBy(
            () -> Node.start(remote(URI.create("amqp://guest:secret@127.0.0.1:1/%2F")).build()))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageStartingWith("tasks.broker.uri: cannot connect to amqp://guest:***@127.0.0.1:1")
        .hasMessageNotContaining("secret");
  }

  @Test
  void anUnreachableStoreOrJournal_failsTheStartNamingTheKey() {
    NodeConfig.Builder base =
        NodeConfig.builder().dashboard(false).disable("function", "workflow").tasksEnabled(false);
    NodeConfig.ModulesConfig modules = base.build().modules();
    NodeConfig redisStore =
        base.modules(
                new NodeConfig.ModulesConfig(
                    modules.disabled(),
                    new NodeConfig.StoreConfig(
                        NodeConfig.StoreConfig.Backend.REDIS,
                        URI.create("redis://:s3cret@127.0.0.1:1")),
                    modules.databases(),
                    modules.cloudstorageRoot(),
                    modules.security(),
                    modules.workflow()))
            .build();
    assertThatThrownBy(() -> Node.start(redisStore))
        .hasMessageContaining("modules.store.uri: cannot connect to redis://:***@127.0.0.1:1")
        .hasMessageNotContaining("s3cret");

    NodeConfig journal =
        NodeConfig.parse(
            """
            dashboard: {enabled: false}
            modules:
              workflow: {journal: postgres, url: "jdbc:postgresql://127.0.0.1:1/test"}
            """,
            "node.yaml");
    assertThatThrownBy(() -> Node.start(journal))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageStartingWith("modules.workflow.url: cannot open the PostgreSQL journal (")
        .hasMessageEndingWith(
            "check that the server runs and the URL, user and password are right");
  }

  @Test
  void aTaskRunningWhenTheNodeCloses_isDeliveredAgainToAnotherWorker() throws Exception {
    URI uri = redis();
    String slow = "node-slow-" + UUID.randomUUID();
    CountDownLatch running = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    NodeExtension tasks =
        extension(
            "slow",
            context -> {
              context
                  .tasks()
                  .register(
                      slow,
                      String.class,
                      String.class,
                      input -> {
                        running.countDown();
                        try {
                          new CountDownLatch(1).await(); // until the close interrupts it
                        } catch (InterruptedException e) {
                          interrupted.set(true);
                          Thread.currentThread().interrupt();
                        }
                        return "node";
                      });
              context.allocate(slow, 1);
            });
    NodeConfig config =
        remote(uri)
            .tasks(
                new NodeConfig.TasksConfig(
                    true,
                    NodeConfig.TasksConfig.Mode.REMOTE,
                    uri,
                    null,
                    java.util.Map.of(),
                    Duration.ofMillis(200)))
            .build();
    try (SystemTimeSource time = new SystemTimeSource("caller-time");
        TaskApp other = caller(uri, time)) {
      Node node = Node.start(config, List.of(tasks));
      other.register(slow, String.class, String.class, input -> "other worker ran " + input);
      var result = other.call(slow, "x");
      assertThat(running.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
      other.allocate(slow, 1, 0);
      node.close();
      assertThat(interrupted).isTrue();
      assertThat(result.await(BOUND)).isEqualTo("other worker ran x");
    }
  }
}
