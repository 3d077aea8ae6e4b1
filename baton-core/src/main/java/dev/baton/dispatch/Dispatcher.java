package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;
import dev.baton.boot.Component;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A module's group of related handlers: the ids it owns, how it registers a handler for each, and
 * an optional lifecycle for the resources they share (a connection pool, a timer).
 *
 * <p>A dispatcher joins a node as the boot component returned by {@link #component(Dispatcher)},
 * which reserves the module's ids, registers its handlers when the node loads, and starts and stops
 * it with the node. Components start in load order, so a component that dispatches commands from
 * its own {@code start} must depend on the dispatchers whose commands it sends.
 */
public interface Dispatcher {

  /** The module's name, as it appears in id reservations and error messages. */
  String module();

  /** The command ids the module owns; reserved for it before {@link #registerAll} runs. */
  Set<CommandId> commandIds();

  /**
   * The components, beyond the registry, whose services the handlers use (for example {@code
   * "time"}); they load before this dispatcher. None by default.
   */
  default List<String> dependsOn() {
    return List.of();
  }

  /**
   * Registers a handler for each command the module handles. Called once, while the node loads,
   * after the components of {@link #dependsOn()}.
   *
   * @param registrar registers handlers for this module's reserved ids
   * @param services the services loaded so far, so handlers can capture what they use once instead
   *     of looking it up on every command
   */
  void registerAll(Registrar registrar, AppContext services);

  /** Starts what the handlers share; called when the node starts, before commands flow. */
  default void start() throws Exception {}

  /** Stops what the handlers share; called when the node stops. */
  default void stop() throws Exception {}

  /**
   * Returns the boot component, named {@code "dispatcher." + module()}, that depends on the
   * registry's component and on {@link #dependsOn()}, reserves {@link #commandIds()} and registers
   * the handlers when it loads, and starts and stops {@code dispatcher} with the node.
   */
  static Component component(Dispatcher dispatcher) {
    requireNonNull(dispatcher, "dispatcher");
    List<String> dependencies = new ArrayList<>(dispatcher.dependsOn());
    dependencies.add(Registry.COMPONENT_NAME);
    return Component.named(Registry.COMPONENT_NAME + "." + dispatcher.module())
        .dependsOn(dependencies.toArray(String[]::new))
        .onLoad(
            context -> {
              Registry registry = context.require(Registry.KEY);
              registry.reservations().reserve(dispatcher.module(), dispatcher.commandIds());
              dispatcher.registerAll(registry.registrar(dispatcher.module()), context);
              return context;
            })
        .onStart(context -> dispatcher.start())
        .onStop(context -> dispatcher.stop())
        .build();
  }
}
