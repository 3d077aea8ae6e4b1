package dev.baton.cli.demo;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.baton.cloudstorage.CloudStorage;
import dev.baton.contract.Contracts;
import dev.baton.eval.Eval;
import dev.baton.modules.clock.Clock;
import dev.baton.modules.event.Events;
import dev.baton.modules.exec.Exec;
import dev.baton.modules.exec.ExitStatus;
import dev.baton.modules.function.Functions;
import dev.baton.modules.process.Processes;
import dev.baton.modules.store.Store;
import dev.baton.modules.store.VersionConflictException;
import dev.baton.process.CoroutineScope;
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import dev.baton.security.IssuedToken;
import dev.baton.security.Security;
import dev.baton.security.TokenInfo;
import dev.baton.sql.Rows;
import dev.baton.sql.Sql;
import dev.baton.workflow.Workflows;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The demo's standard-modules part: on the node's scheduler (every module of both parts, on the
 * embedded default: an in-memory store, the local task app, H2, a local object store), one
 * coroutine uses each command family in turn.
 */
final class ModulesDemo {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** How many families {@link #run} shows, one {@link ProgressBar.Phase#step()} each. */
  static final int FAMILIES = 12;

  private ModulesDemo() {}

  /**
   * Runs the demo on {@code scheduler}; returns whether every step did what it shows.
   *
   * @param tokenStore the name of the node's security token store
   */
  static boolean run(
      PrintWriter out, Scheduler scheduler, String tokenStore, ProgressBar.Phase phase)
      throws Exception {
    out.println("Standard modules (one coroutine yields each family's commands; docs/modules.md):");
    CompletableFuture<List<String>> lines = new CompletableFuture<>();
    scheduler.spawnCoroutine(
        (process, input) -> {
          try {
            lines.complete(useEachFamily(process, tokenStore, phase));
          } catch (RuntimeException | Error e) {
            lines.completeExceptionally(e);
          }
          return null;
        });
    for (String line : lines.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      out.println("  " + line);
    }
    return true;
  }

  private static List<String> useEachFamily(
      CoroutineScope p, String tokenStore, ProgressBar.Phase phase) {
    Lines lines = new Lines(new ArrayList<>(), phase);

    Pid child =
        p.call(Processes.Spawn.coroutine((c, in) -> "echo " + c.receive("ping").payload(), null));
    p.call(new Processes.Send(child, "ping", "hello"));
    Object childResult = p.call(Processes.Exec.coroutine((c, in) -> "child says " + in, "hi"));
    lines.add(
        "process: spawned "
            + child
            + " and sent it a message; Exec (spawn and wait) -> \""
            + childResult
            + "\"");

    long start = System.nanoTime();
    p.call(new Clock.Sleep(Duration.ofMillis(20)));
    double sleptMillis = (System.nanoTime() - start) / 1e6;
    Clock.TickerId ticker = p.call(new Clock.TickerStart("tick", Duration.ofMillis(10)));
    List<Long> ticks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ticks.add(((Clock.Tick) requirePayload(p.receive("tick").payload())).sequence());
    }
    p.call(new Clock.TickerStop(ticker));
    lines.add(
        String.format(
            Locale.ROOT,
            "clock: Sleep 20 ms woke after %.1f ms; a 10 ms ticker sent 3 ticks (sequence"
                + " numbers %s; a late timer skips ticks), then stopped",
            sleptMillis,
            ticks));

    p.call(new Events.Subscribe("orders.**"));
    int delivered = p.call(new Events.Send("orders.eu.created", "order #1"));
    Object event = p.receive("orders.eu.created").payload();
    lines.add(
        "event: Subscribe orders.** then Send orders.eu.created -> delivered to "
            + delivered
            + " subscription, received \""
            + event
            + "\"");

    long version = p.call(Store.Put.utf8("lock/job-7", "node-a", Store.PutOptions.ifAbsent()));
    String conflict;
    try {
      p.call(Store.Put.utf8("lock/job-7", "node-b", Store.PutOptions.ifAbsent()));
      conflict = "no conflict (unexpected)";
    } catch (VersionConflictException e) {
      conflict = e.getClass().getSimpleName() + " (found version " + e.actual() + ")";
    }
    String holder = new String(p.call(new Store.Get("lock/job-7")), UTF_8);
    lines.add(
        "store: Put only-if-absent -> version "
            + version
            + "; a second one -> "
            + conflict
            + "; Get -> \""
            + holder
            + "\"");

    int sum = p.call(Functions.Call.returning(Integer.class, "add", 2, 3));
    lines.add("function: Call add(2, 3) -> " + sum + " (a task of the node's TaskApp)");

    Exec.ExecId program = p.call(Exec.Start.of("printf", "%s", "$(id)"));
    ExitStatus status = p.call(new Exec.ProcessWait(program));
    lines.add(
        "exec: Start printf %s '$(id)' -> \""
            + status.stdoutText()
            + "\", exit "
            + status.exitCode()
            + " (no shell: the argument arrives as written)");

    p.call(
        Sql.Execute.of(
            "CREATE TABLE IF NOT EXISTS demo_notes (id INT PRIMARY KEY, body VARCHAR(64))"));
    p.call(Sql.Execute.of("MERGE INTO demo_notes KEY (id) VALUES (?, ?)", 1, "kept in H2"));
    Rows rows = p.call(Sql.Query.of("SELECT body FROM demo_notes WHERE id = ?", 1));
    lines.add(
        "sql: CREATE TABLE, MERGE, then SELECT on the default H2 database -> \""
            + rows.rows().getFirst().getFirst()
            + "\"");

    IssuedToken token =
        p.call(new Security.CreateToken(tokenStore, "user:42", Set.of("notes:read")));
    TokenInfo who =
        p.call(new Security.ValidateToken(tokenStore, token.token(), Set.of("notes:read")));
    lines.add(
        "security: CreateToken for user:42 -> a signed token ("
            + token.token().length()
            + " chars); ValidateToken -> subject "
            + who.subject());

    p.call(
        CloudStorage.Upload.text(
            CloudStorage.DEFAULT_STORAGE, "demo/hello.txt", "stored on the local backend"));
    lines.add(
        "cloudstorage: Upload then Download demo/hello.txt -> \""
            + p.call(new CloudStorage.Download(CloudStorage.DEFAULT_STORAGE, "demo/hello.txt"))
                .text()
            + "\"");

    lines.add(
        "eval: Run \"input.a * input.b\" with {a: 6, b: 7} -> "
            + p.call(Eval.Run.of("input.a * input.b", Map.of("a", 6, "b", 7)))
            + " (sandboxed JavaScript)");

    lines.add(
        "workflow: Call greet(\"Ada\"), its side effect journaled once -> \""
            + p.call(
                new Workflows.Call<>(
                    "greet", "demo-greet-" + System.nanoTime(), "Ada", String.class))
            + "\"");

    Contracts.InstanceId greeter = p.call(Contracts.Open.of("greeter"));
    lines.add(
        "contract: Open greeter, Call greet(\"Bo\") on the shared binding -> \""
            + p.call(Contracts.Call.returning(String.class, greeter, "greet", "Bo"))
            + "\"");
    return lines.list();
  }

  /** The lines shown so far; each one is a family done, counted on the phase. */
  private record Lines(List<String> list, ProgressBar.Phase phase) {
    void add(String line) {
      list.add(line);
      phase.step();
    }
  }

  private static Object requirePayload(@org.jspecify.annotations.Nullable Object payload) {
    if (payload == null) {
      throw new IllegalStateException("a tick without a payload");
    }
    return payload;
  }
}
