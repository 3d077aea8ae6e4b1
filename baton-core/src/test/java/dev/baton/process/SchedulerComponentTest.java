package dev.baton.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.Component;
import dev.baton.boot.Key;
import dev.baton.dispatch.Registry;
import dev.baton.time.SystemTimeSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SchedulerComponentTest {

  @Test
  void theSchedulerComponent_bootsOverTheRegistryAndTime_givesProcessesTheSealedServices_andStops()
      throws Exception {
    Key<String> greeting = Key.of("greeting", String.class);
    Boot boot =
        Boot.of(
            Scheduler.component(),
            Registry.component(),
            SystemTimeSource.component(),
            Component.named("greeting").onLoad(context -> context.with(greeting, "hello")).build());
    boot.load(AppContext.empty());
    AppContext services = boot.start();
    Scheduler scheduler = services.require(Scheduler.KEY);
    CompletableFuture<AppContext> seen = new CompletableFuture<>();

    scheduler.spawnCoroutine(
        (process, input) -> {
          seen.complete(process.services());
          return null;
        });
    AppContext processServices = seen.get(10, TimeUnit.SECONDS);
    boot.shutdown();

    assertThat(boot.loadOrder()).containsSubsequence("dispatcher", "scheduler");
    assertThat(processServices.isSealed()).isTrue();
    assertThat(processServices.require(greeting)).isEqualTo("hello");
    assertThatThrownBy(() -> scheduler.spawn(new TestProcesses.Inbox()))
        .isInstanceOf(SchedulerStoppedException.class);
  }
}
