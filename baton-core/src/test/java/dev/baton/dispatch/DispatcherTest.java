package dev.baton.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.boot.Component;
import dev.baton.boot.ComponentFailedException;
import dev.baton.boot.Key;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private final List<String> lifecycle = new ArrayList<>();

  /** A module with one command that echoes its text. */
  private class EchoDispatcher implements Dispatcher {
    @Override
    public String module() {
      return "echo";
    }

    @Override
    public Set<CommandId> commandIds() {
      return Set.of(TestCommands.ECHO_ID);
    }

    @Override
    public void registerAll(Registrar registrar, AppContext services) {
      registrar.register(
          TestCommands.ECHO_ID,
          Handler.forType(
              TestCommands.Echo.class,
              (context, echo, tag, receiver) -> receiver.completeYield(tag, echo.text(), null)));
    }

    @Override
    public void start() {
      lifecycle.add("start");
    }

    @Override
    public void stop() {
      lifecycle.add("stop");
    }
  }

  @Test
  void component_isNamedForTheModule_andDependsOnTheRegistry() {
    Component component = Dispatcher.component(new EchoDispatcher());

    assertThat(component.name()).isEqualTo("dispatcher.echo");
    assertThat(component.dependsOn()).containsExactly(Registry.COMPONENT_NAME);
  }

  @Test
  void component_loadsAfterWhatTheDispatcherDependsOn_andHandsItTheServices() {
    Key<String> greeting = Key.of("greeting", String.class);
    List<String> seen = new ArrayList<>();
    Dispatcher needsGreeting =
        new EchoDispatcher() {
          @Override
          public List<String> dependsOn() {
            return List.of("zz.greeting");
          }

          @Override
          public void registerAll(Registrar registrar, AppContext services) {
            seen.add(services.require(greeting));
            super.registerAll(registrar, services);
          }
        };
    Boot boot =
        Boot.of(
            Dispatcher.component(needsGreeting),
            Registry.component(),
            Component.named("zz.greeting").onLoad(ctx -> ctx.with(greeting, "hello")).build());

    boot.load(AppContext.empty());

    assertThat(boot.loadOrder()).containsExactly("dispatcher", "zz.greeting", "dispatcher.echo");
    assertThat(seen).containsExactly("hello");
  }

  @Test
  void bootedDispatcher_reservesItsIds_registersItsHandlers_andRoutesOnceStarted()
      throws Exception {
    Boot boot = Boot.of(Dispatcher.component(new EchoDispatcher()), Registry.component());
    boot.load(AppContext.empty());
    AppContext context = boot.start();
    Registry registry = context.require(Registry.KEY);
    RecordingReceiver receiver = new RecordingReceiver();

    new CommandRouter(registry)
        .route(
            CommandContext.of("test", context, new CancellationSignal()),
            new TestCommands.Echo("hello"),
            1,
            receiver);
    boot.shutdown();

    assertThat(boot.loadOrder()).containsExactly("dispatcher", "dispatcher.echo");
    assertThat(registry.isFrozen()).isTrue();
    assertThat(registry.reservations().ownerOf(TestCommands.ECHO_ID)).contains("echo");
    assertThat(receiver.next(Duration.ofSeconds(1)).result()).isEqualTo("hello");
    assertThat(lifecycle).containsExactly("start", "stop");
  }

  @Test
  void twoModulesClaimingOneId_failTheLoadNamingTheIdAndBothModules() {
    Dispatcher impostor =
        new EchoDispatcher() {
          @Override
          public String module() {
            return "impostor";
          }
        };
    Boot boot =
        Boot.of(
            Registry.component(),
            Dispatcher.component(new EchoDispatcher()),
            Dispatcher.component(impostor));

    assertThatThrownBy(() -> boot.load(AppContext.empty()))
        .isInstanceOf(ComponentFailedException.class)
        .hasMessageContaining("dispatcher.impostor")
        .cause()
        .isInstanceOf(CommandIdCollisionException.class)
        .hasMessageContaining("command 200")
        .hasMessageContaining("'echo'")
        .hasMessageContaining("'impostor'");
  }
}
