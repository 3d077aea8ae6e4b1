package dev.baton.cli.demo;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.Component;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
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
import dev.baton.modules.process.ProcessModule;
import dev.baton.modules.process.Processes;
import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreModule;
import dev.baton.modules.store.Stores;
import dev.baton.modules.store.VersionConflictException;
import dev.baton.process.CoroutineScope;
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The demo's standard-modules part: a node with every module of part 1 on the embedded default (an
 * in-memory store, a local task app), and one coroutine that uses each command family in turn.
 */
final class ModulesDemo {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private ModulesDemo() {}

  /** Runs the demo; returns whether every step did what it shows. */
  static boolean run(PrintWriter out) throws Exception {
    TaskApp app = TaskApp.local();
    app.register("add", int.class, int.class, int.class, Integer::sum);
    app.allocate("add", 2, 0);
    Boot boot =
        Boot.of(
            Registry.component(),
            SystemTimeSource.component(),
            Scheduler.component(),
            Dispatcher.component(new ProcessModule()),
            Dispatcher.component(new ClockModule()),
            EventBus.component(),
            Dispatcher.component(new EventModule()),
            Stores.component(),
            Dispatcher.component(new StoreModule()),
            Component.named(FunctionModule.TASKS_COMPONENT)
                .onLoad(context -> context.with(TaskApp.KEY, app))
                .build(),
            Dispatcher.component(new FunctionModule()),
            Dispatcher.component(new ExecModule()));
    out.println("Standard modules (one coroutine yields each family's commands; docs/modules.md):");
    try (app) {
      boot.load(AppContext.empty());
      Scheduler scheduler = boot.start().require(Scheduler.KEY);
      CompletableFuture<List<String>> lines = new CompletableFuture<>();
      scheduler.spawnCoroutine(
          (process, input) -> {
            try {
              lines.complete(useEachFamily(process));
            } catch (RuntimeException | Error e) {
              lines.completeExceptionally(e);
            }
            return null;
          });
      for (String line : lines.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        out.println("  " + line);
      }
      return true;
    } finally {
      boot.shutdown();
    }
  }

  private static List<String> useEachFamily(CoroutineScope p) {
    List<String> lines = new ArrayList<>();

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
    return lines;
  }

  private static Object requirePayload(@org.jspecify.annotations.Nullable Object payload) {
    if (payload == null) {
      throw new IllegalStateException("a tick without a payload");
    }
    return payload;
  }
}
