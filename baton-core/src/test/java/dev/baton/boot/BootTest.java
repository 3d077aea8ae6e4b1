package dev.baton.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BootTest {
  private final List<String> events = new ArrayList<>();

  /** A component that records its lifecycle into {@link #events}. */
  private Component.Builder recorded(String name, String... dependsOn) {
    return Component.named(name)
        .dependsOn(dependsOn)
        .onLoad(
            context -> {
              events.add(name + ":load");
              return context;
            })
        .onStart(context -> events.add(name + ":start"))
        .onStop(context -> events.add(name + ":stop"));
  }

  @Test
  void of_twoComponentsWithOneName_fails() {
    assertThatThrownBy(() -> Boot.of(recorded("a").build(), recorded("a").build()))
        .isInstanceOf(DuplicateComponentException.class)
        .hasMessageContaining("'a'");
  }

  @Test
  void load_runsDependenciesFirst_andEachLoadSeesWhatEarlierLoadsProvided() {
    Key<String> fromA = Key.of("a.value", String.class);
    Key<String> fromB = Key.of("b.value", String.class);
    List<String> seenByC = new ArrayList<>();
    Boot boot =
        Boot.of(
            Component.named("c")
                .dependsOn("a", "b")
                .onLoad(
                    context -> {
                      seenByC.add(context.require(fromA));
                      seenByC.add(context.require(fromB));
                      return context;
                    })
                .build(),
            Component.named("b")
                .dependsOn("a")
                .onLoad(context -> context.with(fromB, "b saw " + context.require(fromA)))
                .build(),
            Component.named("a").onLoad(context -> context.with(fromA, "from a")).build());

    AppContext loaded = boot.load(AppContext.empty());

    assertThat(boot.loadOrder()).containsExactly("a", "b", "c");
    assertThat(seenByC).containsExactly("from a", "b saw from a");
    assertThat(loaded.keys()).containsExactly(fromA, fromB);
    assertThat(boot.state()).isEqualTo(Boot.State.LOADED);
  }

  @Test
  void loadOrder_isDeterministic_byLevelThenName_whateverTheInputOrder() {
    List<Component> components =
        List.of(
            recorded("zeta").build(),
            recorded("http", "logger").build(),
            recorded("alpha").build(),
            recorded("logger").build(),
            recorded("db", "logger").build());

    List<String> order = Boot.of(components).loadOrder();
    List<String> reversedInput = Boot.of(components.reversed()).loadOrder();

    assertThat(order).containsExactly("alpha", "logger", "zeta", "db", "http");
    assertThat(reversedInput).isEqualTo(order);
  }

  @Test
  void of_twoComponentsDependingOnEachOther_failsNamingTheCycle() {
    assertThatThrownBy(() -> Boot.of(recorded("a", "b").build(), recorded("b", "a").build()))
        .isInstanceOfSatisfying(
            DependencyCycleException.class,
            e -> assertThat(e.cycle()).containsExactly("a", "b", "a"))
        .hasMessageContaining("a -> b -> a");
  }

  @Test
  void of_aLongerCycleBehindAnInnocentComponent_namesOnlyTheCycle() {
    assertThatThrownBy(
            () ->
                Boot.of(
                    recorded("app", "x").build(),
                    recorded("x", "y").build(),
                    recorded("y", "z").build(),
                    recorded("z", "x").build()))
        .isInstanceOfSatisfying(
            DependencyCycleException.class,
            e -> assertThat(e.cycle()).containsExactly("x", "y", "z", "x"));
  }

  @Test
  void of_aComponentDependingOnItself_isACycle() {
    assertThatThrownBy(() -> Boot.of(recorded("self", "self").build()))
        .isInstanceOfSatisfying(
            DependencyCycleException.class,
            e -> assertThat(e.cycle()).containsExactly("self", "self"));
  }

  @Test
  void of_missingDependency_failsNamingBothNames_beforeAnythingLoads() {
    assertThatThrownBy(() -> Boot.of(recorded("a").build(), recorded("http", "logger").build()))
        .isInstanceOfSatisfying(
            MissingDependencyException.class,
            e -> {
              assertThat(e.component()).isEqualTo("http");
              assertThat(e.dependency()).isEqualTo("logger");
            })
        .hasMessageContaining("'http' depends on 'logger', which is not registered");
    assertThat(events).isEmpty();
  }

  @Test
  void load_failure_namesTheComponent_keepsTheCause_andShutdownStopsOnlyWhatLoaded() {
    IllegalStateException cause = new IllegalStateException("no database");
    Boot boot =
        Boot.of(
            recorded("a").build(),
            Component.named("b")
                .dependsOn("a")
                .onLoad(
                    context -> {
                      throw cause;
                    })
                .onStop(context -> events.add("b:stop"))
                .build(),
            recorded("c", "b").build());

    assertThatThrownBy(() -> boot.load(AppContext.empty()))
        .isInstanceOfSatisfying(
            ComponentFailedException.class,
            e -> {
              assertThat(e.component()).isEqualTo("b");
              assertThat(e.phase()).isEqualTo(ComponentFailedException.Phase.LOAD);
            })
        .hasMessageContaining("failed to load component 'b'")
        .hasCause(cause);
    assertThat(boot.state()).isEqualTo(Boot.State.FAILED);

    boot.shutdown();
    assertThat(events).containsExactly("a:load", "a:stop");
  }

  @Test
  void start_freezesFreezableServicesAndSealsTheContext_beforeAnyComponentStarts() {
    Key<Freezable> table = Key.of("table", Freezable.class);
    AtomicBoolean frozen = new AtomicBoolean();
    List<String> seenAtStart = new ArrayList<>();
    Boot boot =
        Boot.of(
            Component.named("provider")
                .onLoad(context -> context.with(table, () -> frozen.set(true)))
                .onStart(
                    context ->
                        seenAtStart.add("frozen=" + frozen + " sealed=" + context.isSealed()))
                .build());
    boot.load(AppContext.empty());

    AppContext started = boot.start();

    assertThat(seenAtStart).containsExactly("frozen=true sealed=true");
    assertThat(started.isSealed()).isTrue();
    assertThat(boot.context()).isSameAs(started);
    assertThat(boot.state()).isEqualTo(Boot.State.STARTED);
  }

  @Test
  void of_aHandWrittenComponentWithABlankName_isRefused() {
    Component nameless =
        new Component() {
          @Override
          public String name() {
            return " ";
          }
        };

    assertThatThrownBy(() -> Boot.of(nameless))
        .isInstanceOf(BootException.class)
        .hasMessageContaining("no name");
  }

  @Test
  void start_whenAServiceFailsToFreeze_failsAndCannotBeRetried() {
    Key<Freezable> broken = Key.of("broken", Freezable.class);
    Boot boot =
        Boot.of(
            Component.named("a")
                .onLoad(
                    context ->
                        context.with(
                            broken,
                            () -> {
                              throw new IllegalStateException("cannot freeze");
                            }))
                .build());
    boot.load(AppContext.empty());

    assertThatThrownBy(boot::start)
        .isInstanceOf(BootException.class)
        .hasMessageContaining("broken");
    assertThat(boot.state()).isEqualTo(Boot.State.FAILED);
    assertThatThrownBy(boot::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void start_failure_namesTheComponent_andKeepsTheCause() {
    IllegalStateException cause = new IllegalStateException("port in use");
    Boot boot =
        Boot.of(
            recorded("a").build(),
            Component.named("http")
                .dependsOn("a")
                .onStart(
                    context -> {
                      throw cause;
                    })
                .build());
    boot.load(AppContext.empty());

    assertThatThrownBy(boot::start)
        .isInstanceOfSatisfying(
            ComponentFailedException.class,
            e -> assertThat(e.phase()).isEqualTo(ComponentFailedException.Phase.START))
        .hasMessageContaining("failed to start component 'http'")
        .hasCause(cause);
  }

  @Test
  void start_beforeLoad_failsAndStartsNothing() {
    Boot boot = Boot.of(recorded("a").build());

    assertThatThrownBy(boot::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot start a boot that is NEW");
    assertThat(events).isEmpty();
  }

  @Test
  void load_twice_fails() {
    Boot boot = Boot.of(recorded("a").build());
    boot.load(AppContext.empty());

    assertThatThrownBy(() -> boot.load(AppContext.empty()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void fullLifecycle_loadsAndStartsInOrder_andStopsInReverse() {
    Boot boot = Boot.of(recorded("http", "logger").build(), recorded("logger").build());

    boot.load(AppContext.empty());
    boot.start();
    boot.shutdown();

    assertThat(events)
        .containsExactly(
            "logger:load", "http:load", "logger:start", "http:start", "http:stop", "logger:stop");
    assertThat(boot.state()).isEqualTo(Boot.State.STOPPED);
  }

  @Test
  void shutdown_carriesOnPastFailures_andReportsEveryOne() {
    Boot boot =
        Boot.of(
            recorded("a").build(),
            Component.named("b")
                .dependsOn("a")
                .onStop(
                    context -> {
                      throw new IllegalStateException("b stuck");
                    })
                .build(),
            recorded("c", "b").build(),
            Component.named("d")
                .dependsOn("c")
                .onStop(
                    context -> {
                      throw new IllegalStateException("d stuck");
                    })
                .build());
    boot.load(AppContext.empty());
    boot.start();

    assertThatThrownBy(boot::shutdown)
        .isInstanceOfSatisfying(
            ShutdownException.class,
            e ->
                assertThat(e.failures())
                    .extracting(ComponentFailedException::component)
                    .containsExactly("d", "b"))
        .hasMessageContaining("2 components failed to stop")
        .hasMessageContaining("b stuck")
        .hasMessageContaining("d stuck");
    assertThat(events).containsSubsequence("c:stop", "a:stop");
  }

  @Test
  void everyTransitionOfTheBootLifecycle_isExercised() {
    Component failsToLoad =
        Component.named("bad-load")
            .onLoad(
                context -> {
                  throw new IllegalStateException("load");
                })
            .build();
    Component failsToStart =
        Component.named("bad-start")
            .onStart(
                context -> {
                  throw new IllegalStateException("start");
                })
            .build();
    List<Boot> boots = new ArrayList<>();

    Boot normal = Boot.of(recorded("a").build()); // NEW -> LOADED -> STARTED -> STOPPED
    normal.load(AppContext.empty());
    normal.start();
    normal.shutdown();
    boots.add(normal);
    Boot loadFails = Boot.of(failsToLoad); // NEW -> FAILED -> STOPPED
    assertThatThrownBy(() -> loadFails.load(AppContext.empty()))
        .isInstanceOf(ComponentFailedException.class);
    loadFails.shutdown();
    boots.add(loadFails);
    Boot startFails = Boot.of(failsToStart); // NEW -> LOADED -> FAILED -> STOPPED
    startFails.load(AppContext.empty());
    assertThatThrownBy(startFails::start).isInstanceOf(ComponentFailedException.class);
    startFails.shutdown();
    boots.add(startFails);
    Boot neverLoaded = Boot.of(recorded("b").build()); // NEW -> STOPPED
    neverLoaded.shutdown();
    boots.add(neverLoaded);
    Boot neverStarted = Boot.of(recorded("c").build()); // NEW -> LOADED -> STOPPED
    neverStarted.load(AppContext.empty());
    neverStarted.shutdown();
    boots.add(neverStarted);

    Set<String> exercised = new TreeSet<>();
    for (Boot boot : boots) {
      List<Boot.State> history = boot.history();
      for (int i = 1; i < history.size(); i++) {
        exercised.add(history.get(i - 1) + " -> " + history.get(i));
      }
    }
    Set<String> table = new TreeSet<>();
    for (Boot.State from : Boot.State.values()) {
      for (Boot.State to : from.next()) {
        table.add(from + " -> " + to);
      }
    }
    assertThat(exercised).isEqualTo(table);
  }

  @Test
  void shutdown_calledTwice_stopsOnce() {
    Boot boot = Boot.of(recorded("a").build());
    boot.load(AppContext.empty());
    boot.start();

    boot.shutdown();
    boot.close();

    assertThat(events).containsOnlyOnce("a:stop");
  }
}
