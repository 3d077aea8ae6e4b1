package dev.baton.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.cloudstorage.CloudStorage;
import dev.baton.contract.Binding;
import dev.baton.contract.Contracts;
import dev.baton.eval.Eval;
import dev.baton.modules.clock.Clock;
import dev.baton.modules.event.Events;
import dev.baton.modules.exec.Exec;
import dev.baton.modules.exec.ExitStatus;
import dev.baton.modules.function.Functions;
import dev.baton.modules.process.Processes;
import dev.baton.modules.store.Store;
import dev.baton.modules.stream.Streams;
import dev.baton.node.spi.ExtensionContext;
import dev.baton.node.spi.NodeExtension;
import dev.baton.process.Pid;
import dev.baton.security.IssuedToken;
import dev.baton.security.Security;
import dev.baton.security.TokenInfo;
import dev.baton.sql.Rows;
import dev.baton.sql.Sql;
import dev.baton.workflow.Workflows;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default node (every module family, local tasks, no server) boots from {@link
 * NodeConfig#defaults()} plus an extension, and one process uses each family once.
 */
class NodeBootTest {
  private static final Duration BOUND = Duration.ofSeconds(60);

  /** A contract the extension binds; public so the contract module may call it. */
  public interface Greeter {
    String greet(String name);
  }

  /** Registers a task, a workflow, a binding and an on-started action. */
  static final class Everything implements NodeExtension {
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger sideEffects = new AtomicInteger();

    @Override
    public String name() {
      return "everything";
    }

    @Override
    public void extend(ExtensionContext context) {
      context.tasks().register("add", int.class, int.class, int.class, Integer::sum);
      context.allocate("add", 2);
      context.binding(Binding.shared("greeter", Greeter.class, name -> "hi " + name));
      context.workflow(
          "greet",
          (scope, input) ->
              scope.sideEffect(
                      "greeting",
                      String.class,
                      () -> {
                        sideEffects.incrementAndGet();
                        return "hello, " + input;
                      })
                  + "!");
      context.onStarted(services -> started.incrementAndGet());
    }
  }

  static NodeConfig.Builder quiet() {
    return NodeConfig.builder().dashboard(false);
  }

  @Test
  void defaultNode_bootsEveryFamily_andOneProcessUsesEach(@TempDir Path dir) throws Exception {
    Everything extension = new Everything();
    Path file = dir.resolve("notes.txt");
    try (Node node = Node.start(quiet().build(), List.of(extension))) {
      assertThat(node.name()).isEqualTo("baton");
      assertThat(extension.started).hasValue(1);
      assertThat(node.tasks()).isPresent();
      assertThat(node.dashboardAddress()).isEmpty();
      CompletableFuture<List<Object>> seen = new CompletableFuture<>();
      node.scheduler()
          .spawnCoroutine(
              (p, input) -> {
                List<Object> results = new ArrayList<>();
                try {
                  Pid child =
                      p.call(
                          Processes.Spawn.coroutine((c, in) -> c.receive("ping").payload(), null));
                  results.add(p.call(new Processes.Send(child, "ping", "pong")));
                  p.call(new Clock.Sleep(Duration.ofMillis(1)));
                  results.add(p.call(new Events.Send("node.nobody-listens", "x")));
                  p.call(Store.Set.utf8("greeting", "hello"));
                  results.add(new String(p.call(new Store.Get("greeting")), UTF_8));
                  results.add(p.call(Functions.Call.returning(Integer.class, "add", 40, 2)));
                  Streams.StreamId out = p.call(Streams.OpenFile.write(file));
                  p.call(Streams.Write.text(out, "written by a process"));
                  p.call(new Streams.Close(out));
                  Exec.ExecId cat =
                      p.call(
                          Exec.Start.of("cat")
                              .withStdin(Exec.Input.pipe())
                              .withStdout(Exec.Output.pipe()));
                  p.call(Streams.Write.text(cat.stdinStream(), "through a pipe"));
                  p.call(new Streams.Close(cat.stdinStream()));
                  ByteArrayOutputStream piped = new ByteArrayOutputStream();
                  for (Streams.Chunk chunk = p.call(new Streams.Read(cat.stdoutStream()));
                      !chunk.eof();
                      chunk = p.call(new Streams.Read(cat.stdoutStream()))) {
                    piped.write(chunk.bytes());
                  }
                  results.add(piped.toString(UTF_8));
                  ExitStatus status = p.call(new Exec.ProcessWait(cat));
                  results.add(status.exitCode());
                  p.call(
                      Sql.Execute.of("CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(9))"));
                  p.call(Sql.Execute.of("INSERT INTO notes VALUES (?, ?)", 1, "in H2"));
                  Rows rows = p.call(Sql.Query.of("SELECT body FROM notes WHERE id = ?", 1));
                  results.add(rows.rows().getFirst().getFirst());
                  IssuedToken token =
                      p.call(new Security.CreateToken("default", "user:42", Set.of("read")));
                  TokenInfo who =
                      p.call(new Security.ValidateToken("default", token.token(), Set.of("read")));
                  results.add(who.subject());
                  p.call(CloudStorage.Upload.text("default", "a/b.txt", "stored object"));
                  results.add(p.call(new CloudStorage.Download("default", "a/b.txt")).text());
                  results.add(p.call(Eval.Run.of("input.a + input.b", Map.of("a", 1, "b", 2))));
                  results.add(
                      p.call(new Workflows.Call<>("greet", "greet-1", "Ada", String.class)));
                  Contracts.InstanceId greeter = p.call(Contracts.Open.of("greeter"));
                  results.add(
                      p.call(Contracts.Call.returning(String.class, greeter, "greet", "Bo")));
                  seen.complete(results);
                } catch (Throwable failure) {
                  seen.completeExceptionally(failure);
                }
                return null;
              });
      assertThat(seen.get(BOUND.toSeconds(), TimeUnit.SECONDS))
          .containsExactly(
              true,
              0,
              "hello",
              42,
              "through a pipe",
              0,
              "in H2",
              "user:42",
              "stored object",
              3L,
              "hello, Ada!",
              "hi Bo");
      assertThat(extension.sideEffects).hasValue(1);
      assertThat(Files.readString(file)).isEqualTo("written by a process");
      assertThat(node.tasks().orElseThrow().call("add", 1, 2).await(BOUND)).isEqualTo(3);
    }
  }

  @Test
  void disabledFamilies_areNotBooted_andTheirCommandsAreUnknown() throws Exception {
    NodeConfig config =
        quiet().disable("sql", "eval", "workflow", "contract", "cloudstorage", "websocket").build();
    try (Node node = Node.start(config, List.of())) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      CompletableFuture<Void> done = new CompletableFuture<>();
      node.scheduler()
          .spawnCoroutine(
              (p, input) -> {
                try {
                  p.call(Eval.Run.of("1", Map.of()));
                } catch (Throwable e) {
                  failure.set(e);
                }
                done.complete(null);
                return null;
              });
      done.get(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(failure.get()).hasMessageContaining("eval");
    }
  }

  @Test
  void anUnknownExtensionName_failsNamingTheInstalledOnes() {
    NodeConfig config = quiet().extension("nope").build();
    assertThatThrownBy(() -> Node.start(config, List.of(new Everything())))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("extensions: no extension named 'nope' is installed")
        .hasMessageContaining("installed: everything");
  }

  @Test
  void workersForATaskNoExtensionRegistered_failTheStartNamingTheKey() {
    NodeConfig config = quiet().taskWorkers("ghost", 2).build();
    assertThatThrownBy(() -> Node.start(config, List.of(new Everything())))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageStartingWith("tasks.workers.ghost: cannot allocate workers (")
        .hasMessageContaining("'ghost'")
        .hasMessageEndingWith("name a task that one of the node's extensions registers");
  }

  @Test
  void aFailingExtension_failsTheStartNamingIt() {
    NodeExtension failing =
        new NodeExtension() {
          @Override
          public String name() {
            return "failing";
          }

          @Override
          public void extend(ExtensionContext context) {
            context.tasks().allocate("not-registered", 1, 0);
          }
        };
    assertThatThrownBy(() -> Node.start(quiet().build(), List.of(failing)))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageStartingWith("extensions: extension 'failing' failed to extend the node: ")
        .hasCauseInstanceOf(RuntimeException.class);
  }

  @Test
  void theExtensionContext_refusesUseAfterExtendReturned() throws Exception {
    AtomicReference<ExtensionContext> kept = new AtomicReference<>();
    NodeExtension keeper =
        new NodeExtension() {
          @Override
          public String name() {
            return "keeper";
          }

          @Override
          public void extend(ExtensionContext context) {
            kept.set(context);
          }
        };
    try (Node node = Node.start(quiet().build(), List.of(keeper))) {
      assertThat(node.name()).isEqualTo("baton");
      assertThatThrownBy(() -> kept.get().allocate("add", 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("only valid while NodeExtension.extend runs");
    }
  }

  @Test
  void closeIsIdempotent_andAwaitStoppedSeesIt() throws Exception {
    Node node = Node.start(quiet().build(), List.of());
    assertThat(node.awaitStopped(Duration.ofMillis(1))).isFalse();
    node.close();
    node.close();
    assertThat(node.awaitStopped(Duration.ofSeconds(1))).isTrue();
  }
}
