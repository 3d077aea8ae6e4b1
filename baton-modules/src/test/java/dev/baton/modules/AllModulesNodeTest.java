package dev.baton.modules;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

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
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import dev.baton.tasks.TaskApp;
import dev.baton.testing.TestNode;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The node of docs/modules.md's boot example: every module of part 1 booted together, in an order
 * Boot has to sort, and one coroutine that uses each family in turn.
 */
class AllModulesNodeTest {

  @Test
  void everyModuleOfPartOne_bootsTogether_andOneProcessUsesEachFamily() throws Exception {
    TaskApp app = TaskApp.local();
    app.register("add", int.class, int.class, int.class, Integer::sum);
    app.allocate("add", 2, 0);
    Boot boot =
        Boot.of(
            Dispatcher.component(new ExecModule()),
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
            Registry.component());
    try (app) {
      boot.load(AppContext.empty());
      Scheduler scheduler = boot.start().require(Scheduler.KEY);
      CompletableFuture<List<Object>> seen = new CompletableFuture<>();

      scheduler.spawnCoroutine(
          (p, input) -> {
            List<Object> results = new ArrayList<>();
            try {
              Pid child =
                  p.call(Processes.Spawn.coroutine((c, in) -> c.receive("ping").payload(), null));
              results.add(p.call(new Processes.Send(child, "ping", "pong")));
              Instant before = Instant.now();
              Instant woke = p.call(new Clock.Sleep(Duration.ofMillis(20)));
              results.add(!woke.isBefore(before.plusMillis(20)));
              p.call(new Events.Subscribe("orders.**"));
              results.add(p.call(new Events.Send("orders.eu.created", "order-1")));
              results.add(p.receive("orders.eu.created").payload());
              p.call(Store.Set.utf8("greeting", "hello"));
              results.add(new String(p.call(new Store.Get("greeting")), UTF_8));
              results.add(p.call(Functions.Call.returning(Integer.class, "add", 2, 3)));
              Exec.ExecId program = p.call(Exec.Start.of("printf", "%s", "$(echo literal)"));
              ExitStatus status = p.call(new Exec.ProcessWait(program));
              results.add(status.stdoutText());
              seen.complete(results);
            } catch (RuntimeException | Error e) {
              seen.completeExceptionally(e);
            }
            return null;
          });

      assertThat(seen.get(TestNode.BOUND.toMillis(), TimeUnit.MILLISECONDS))
          .containsExactly(true, true, 1, "order-1", "hello", 5, "$(echo literal)");
      assertThat(boot.loadOrder())
          .containsSubsequence("scheduler", "dispatcher.process")
          .containsSubsequence("event.bus", "dispatcher.event")
          .containsSubsequence(Stores.COMPONENT_NAME, "dispatcher.store")
          .containsSubsequence(FunctionModule.TASKS_COMPONENT, "dispatcher.function");
    } finally {
      boot.shutdown();
    }
  }
}
