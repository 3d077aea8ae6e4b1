package dev.baton.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.Component;
import dev.baton.cloudstorage.CloudStorage;
import dev.baton.cloudstorage.CloudStorageModule;
import dev.baton.cloudstorage.ObjectStorages;
import dev.baton.contract.Binding;
import dev.baton.contract.Bindings;
import dev.baton.contract.ContractModule;
import dev.baton.contract.Contracts;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
import dev.baton.eval.Eval;
import dev.baton.eval.EvalModule;
import dev.baton.modules.clock.Clock;
import dev.baton.modules.clock.ClockModule;
import dev.baton.modules.event.EventBus;
import dev.baton.modules.event.EventModule;
import dev.baton.modules.event.Events;
import dev.baton.modules.exec.Exec;
import dev.baton.modules.exec.ExecModule;
import dev.baton.modules.exec.ExitStatus;
import dev.baton.modules.function.FunctionModule;
import dev.baton.modules.function.Functions;
import dev.baton.modules.http.Http;
import dev.baton.modules.http.HttpModule;
import dev.baton.modules.process.ProcessModule;
import dev.baton.modules.process.Processes;
import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreModule;
import dev.baton.modules.store.Stores;
import dev.baton.modules.stream.StreamModule;
import dev.baton.modules.stream.StreamTable;
import dev.baton.modules.stream.Streams;
import dev.baton.modules.websocket.WebSocketModule;
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import dev.baton.security.IssuedToken;
import dev.baton.security.Security;
import dev.baton.security.SecurityModule;
import dev.baton.security.TokenAlgorithm;
import dev.baton.security.TokenInfo;
import dev.baton.security.TokenStore;
import dev.baton.security.TokenStores;
import dev.baton.sql.Databases;
import dev.baton.sql.Rows;
import dev.baton.sql.Sql;
import dev.baton.sql.SqlModule;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import dev.baton.workflow.WorkflowModule;
import dev.baton.workflow.Workflows;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command module of both parts booted in one node, in an order {@code Boot} has to sort (the
 * node of docs/modules.md's boot section), and one coroutine that uses each family in turn: the
 * families' ids, component names and dependencies fit together. Each family's own behaviour is
 * proved by its module's tests; websocket is booted here but needs a WebSocket peer, which its own
 * tests start.
 */
public class AllModulesNodeIT {
  private static final Duration BOUND = Duration.ofSeconds(60);

  /** A contract the node binds locally; public, so the contract module may call it. */
  public interface Greeter {
    String greet(String name);
  }

  /** Counts its runs, to show the workflow's side effect ran once. */
  private static final AtomicInteger SIDE_EFFECT_RUNS = new AtomicInteger();

  @Test
  void everyModuleOfBothParts_bootsTogether_andOneProcessUsesEachFamily(@TempDir Path dir)
      throws Exception {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/hello",
        exchange -> {
          byte[] body = "hello over http".getBytes(UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    http.start();
    URI helloUri = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/hello");

    TaskApp app = TaskApp.local();
    app.register("add", int.class, int.class, int.class, Integer::sum);
    app.allocate("add", 2, 0);
    TokenStore tokens =
        TokenStore.builder("api")
            .issuer("baton-it")
            .audience("it")
            .hmac("k1", TokenAlgorithm.HS256, "0123456789abcdef0123456789abcdef".getBytes(UTF_8))
            .build();
    WorkflowModule workflows =
        WorkflowModule.builder()
            .register(
                "greet",
                (scope, input) -> {
                  String greeting =
                      scope.sideEffect(
                          "greeting",
                          String.class,
                          () -> {
                            SIDE_EFFECT_RUNS.incrementAndGet();
                            return "hello, " + input;
                          });
                  return greeting + "!";
                })
            .after("dispatcher.store")
            .build();
    List<Component> components =
        new ArrayList<>(
            List.of(
                Dispatcher.component(new ContractModule()),
                Bindings.component(Binding.shared("greeter", Greeter.class, name -> "hi " + name)),
                Dispatcher.component(workflows),
                Dispatcher.component(EvalModule.builder().build()),
                Dispatcher.component(new CloudStorageModule()),
                ObjectStorages.local(dir.resolve("objects")),
                Dispatcher.component(new SecurityModule()),
                TokenStores.component(tokens),
                Dispatcher.component(new SqlModule()),
                Databases.component(),
                Dispatcher.component(new WebSocketModule()),
                Dispatcher.component(HttpModule.withStreams()),
                Dispatcher.component(ExecModule.withStreams()),
                Dispatcher.component(new StreamModule()),
                StreamTable.component()));
    components.addAll(
        List.of(
            Dispatcher.component(new FunctionModule()),
            Component.named(FunctionModule.TASKS_COMPONENT)
                .onLoad(context -> context.with(TaskApp.KEY, app))
                .build(),
            Dispatcher.component(new StoreModule()),
            Stores.component(),
            Dispatcher.component(new EventModule()),
            EventBus.component(),
            Dispatcher.component(new ClockModule()),
            Dispatcher.component(new ProcessModule()),
            Scheduler.component(),
            SystemTimeSource.component(),
            Registry.component()));
    Boot boot = Boot.of(components);
    Path file = dir.resolve("notes.txt");
    try (app) {
      boot.load(AppContext.empty());
      Scheduler scheduler = boot.start().require(Scheduler.KEY);
      CompletableFuture<List<Object>> seen = new CompletableFuture<>();

      scheduler.spawnCoroutine(
          (p, input) -> {
            List<Object> results = new ArrayList<>();
            try {
              // part 1
              Pid child =
                  p.call(Processes.Spawn.coroutine((c, in) -> c.receive("ping").payload(), null));
              results.add(p.call(new Processes.Send(child, "ping", "pong")));
              p.call(new Clock.Sleep(Duration.ofMillis(1)));
              results.add(p.call(new Events.Send("it.nobody-listens", "x")));
              p.call(Store.Set.utf8("greeting", "hello"));
              results.add(new String(p.call(new Store.Get("greeting")), UTF_8));
              results.add(p.call(Functions.Call.returning(Integer.class, "add", 40, 2)));

              // stream, exec pipes, http
              Streams.StreamId out = p.call(Streams.OpenFile.write(file));
              p.call(Streams.Write.text(out, "written by a process"));
              p.call(new Streams.Close(out));
              Streams.StreamId in = p.call(Streams.OpenFile.read(file));
              results.add(new String(p.call(new Streams.Read(in)).bytes(), UTF_8));
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
              results.add(p.call(Http.Request.get(helloUri)).bodyText());

              // part 2 in their own artifacts
              p.call(Sql.Execute.of("CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(64))"));
              p.call(Sql.Execute.of("INSERT INTO notes VALUES (?, ?)", 1, "in H2"));
              Rows rows = p.call(Sql.Query.of("SELECT body FROM notes WHERE id = ?", 1));
              results.add(rows.rows().getFirst().getFirst());
              IssuedToken token =
                  p.call(new Security.CreateToken("api", "user:42", Set.of("notes:read")));
              TokenInfo who =
                  p.call(new Security.ValidateToken("api", token.token(), Set.of("notes:read")));
              results.add(who.subject());
              p.call(CloudStorage.Upload.text("default", "a/b.txt", "stored object"));
              results.add(p.call(new CloudStorage.Download("default", "a/b.txt")).text());
              results.add(p.call(Eval.Run.of("input.a + input.b", Map.of("a", 1, "b", 2))));
              results.add(p.call(new Workflows.Call<>("greet", "greet-1", "Ada", String.class)));
              Contracts.InstanceId greeter = p.call(Contracts.Open.of("greeter"));
              results.add(p.call(Contracts.Call.returning(String.class, greeter, "greet", "Bo")));
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
              "written by a process",
              "through a pipe",
              0,
              "hello over http",
              "in H2",
              "user:42",
              "stored object",
              3L,
              "hello, Ada!",
              "hi Bo");
      assertThat(SIDE_EFFECT_RUNS).hasValue(1);
      assertThat(Files.readString(file)).isEqualTo("written by a process");
    } finally {
      boot.shutdown();
      http.stop(0);
    }
  }
}
