package dev.baton.boot;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles a node from {@link Component}s: loads them in dependency order, freezes and seals the
 * shared context, starts them, and stops them in reverse.
 *
 * <p><b>Order.</b> The load order is fixed when the boot is created: components are placed in
 * dependency levels (a component's level is one more than its deepest dependency's), and the
 * components of one level are ordered by name, so the same set of components always boots in the
 * same order. A duplicate name, a missing dependency or a cycle is reported by {@link #of} before
 * anything loads.
 *
 * <p><b>Failure.</b> A failed load or start stops the sequence and is reported as a {@link
 * ComponentFailedException} naming the component; the components that loaded stay loaded, and
 * {@link #shutdown()} stops them. Shutdown carries on past failures and reports all of them.
 *
 * <p><b>Threads.</b> The lifecycle methods are meant to be called by the one thread that owns the
 * node; they are synchronized so that a stray call from another thread (a shutdown hook) sees a
 * consistent state.
 */
public final class Boot implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Boot.class);

  /** Where a boot is in its life; it moves only along {@link #next()}, forward, never back. */
  public enum State {
    /** Created; nothing has loaded. */
    NEW,
    /** Every component loaded. */
    LOADED,
    /** The context is sealed and every component started. */
    STARTED,
    /** A load or start failed; {@link #shutdown()} stops what loaded. */
    FAILED,
    /** Shut down; terminal. */
    STOPPED;

    /** The states this one may move to. */
    public Set<State> next() {
      return switch (this) {
        case NEW -> EnumSet.of(LOADED, FAILED, STOPPED);
        case LOADED -> EnumSet.of(STARTED, FAILED, STOPPED);
        case STARTED, FAILED -> EnumSet.of(STOPPED);
        case STOPPED -> EnumSet.noneOf(State.class);
      };
    }
  }

  private final List<Component> loadOrder;

  @GuardedBy("this")
  private State state = State.NEW;

  /** Every state this boot has been in, in order; for the transition-coverage test. */
  @GuardedBy("this")
  private final List<State> history = new ArrayList<>(List.of(State.NEW));

  @GuardedBy("this")
  private AppContext context = AppContext.empty();

  /** Components whose load succeeded, in load order: the ones shutdown stops. */
  @GuardedBy("this")
  private final List<Component> loaded = new ArrayList<>();

  private Boot(List<Component> loadOrder) {
    this.loadOrder = loadOrder;
  }

  /**
   * Returns a boot for these components, with their load order resolved.
   *
   * @throws DuplicateComponentException if two components share a name
   * @throws MissingDependencyException if a component depends on a name no component has
   * @throws DependencyCycleException if components depend on each other in a circle
   */
  public static Boot of(List<? extends Component> components) {
    Map<String, Component> byName = new HashMap<>();
    for (Component component : components) {
      requireNonNull(component, "component");
      String name = component.name();
      if (name == null || name.isBlank()) {
        throw new BootException("a component has no name: " + component);
      }
      for (String dependency : component.dependsOn()) {
        if (dependency == null || dependency.isBlank()) {
          throw new BootException("component '" + name + "' depends on a blank or null name");
        }
      }
      if (byName.putIfAbsent(name, component) != null) {
        throw new DuplicateComponentException(component.name());
      }
    }
    return new Boot(resolveLoadOrder(byName));
  }

  /** Returns a boot for these components; see {@link #of(List)}. */
  public static Boot of(Component... components) {
    return of(List.of(components));
  }

  /** The names of the components in the order they load (and start); they stop in reverse. */
  public List<String> loadOrder() {
    return loadOrder.stream().map(Component::name).toList();
  }

  /**
   * Loads every component in order, each receiving the context its predecessor returned, starting
   * from {@code initial}; returns the context the last one returned.
   *
   * @throws ComponentFailedException naming the component whose load threw; the components before
   *     it stay loaded until {@link #shutdown()}
   * @throws IllegalStateException if this boot has already loaded
   */
  public synchronized AppContext load(AppContext initial) {
    requireNonNull(initial, "initial");
    requireState(State.NEW, "load");
    AppContext current = initial;
    boolean loadedAll = false;
    try {
      for (Component component : loadOrder) {
        try {
          current = requireNonNull(component.load(current), "load returned null");
        } catch (Exception | LinkageError | AssertionError e) {
          throw new ComponentFailedException(
              component.name(), ComponentFailedException.Phase.LOAD, e);
        }
        loaded.add(component);
        log.debug("loaded component {}", component.name());
      }
      loadedAll = true;
    } finally {
      // FAILED unless every load succeeded, whatever was thrown, so a failed boot cannot re-run.
      context = current;
      moveTo(loadedAll ? State.LOADED : State.FAILED);
    }
    return current;
  }

  /**
   * Freezes every {@link Freezable} service, seals the context, then starts every component in load
   * order; returns the sealed context.
   *
   * @throws ComponentFailedException naming the component whose start threw; the components that
   *     started before it keep running until {@link #shutdown()}
   * @throws IllegalStateException unless every component has loaded
   */
  public synchronized AppContext start() {
    requireState(State.LOADED, "start");
    boolean startedAll = false;
    try {
      for (Key<?> key : context.keys()) {
        if (context.rawValue(key) instanceof Freezable freezable) {
          try {
            freezable.freeze();
          } catch (RuntimeException | LinkageError | AssertionError e) {
            throw new BootException("failed to freeze service " + key + ": " + e, e);
          }
        }
      }
      context = context.seal();
      for (Component component : loadOrder) {
        try {
          component.start(context);
        } catch (Exception | LinkageError | AssertionError e) {
          throw new ComponentFailedException(
              component.name(), ComponentFailedException.Phase.START, e);
        }
        log.debug("started component {}", component.name());
      }
      startedAll = true;
    } finally {
      // FAILED unless every start succeeded, whatever was thrown, so a failed start cannot retry.
      moveTo(startedAll ? State.STARTED : State.FAILED);
    }
    return context;
  }

  /**
   * Stops every loaded component in reverse load order, carrying on past failures. Calling it again
   * does nothing.
   *
   * @throws ShutdownException listing every component whose stop threw, after all were stopped
   */
  public synchronized void shutdown() {
    if (state == State.STOPPED) {
      return;
    }
    moveTo(State.STOPPED);
    List<ComponentFailedException> failures = new ArrayList<>();
    for (Component component : loaded.reversed()) {
      try {
        component.stop(context);
        log.debug("stopped component {}", component.name());
      } catch (Exception | LinkageError | AssertionError e) {
        log.warn("component {} failed to stop", component.name(), e);
        failures.add(
            new ComponentFailedException(component.name(), ComponentFailedException.Phase.STOP, e));
      }
    }
    loaded.clear();
    if (!failures.isEmpty()) {
      throw new ShutdownException(failures);
    }
  }

  /** Same as {@link #shutdown()}, so a boot can be used in try-with-resources. */
  @Override
  public void close() {
    shutdown();
  }

  /** Where this boot is in its life. */
  public synchronized State state() {
    return state;
  }

  /** The context as it stands: empty before load, sealed once started. */
  public synchronized AppContext context() {
    return context;
  }

  /** The states this boot has been in, in order, starting with NEW. */
  synchronized List<State> history() {
    return List.copyOf(history);
  }

  @GuardedBy("this")
  private void moveTo(State next) {
    if (!state.next().contains(next)) {
      throw new IllegalStateException("a boot cannot move from " + state + " to " + next);
    }
    state = next;
    history.add(next);
  }

  @GuardedBy("this")
  private void requireState(State expected, String action) {
    if (state != expected) {
      throw new IllegalStateException(
          "cannot " + action + " a boot that is " + state + "; " + action + " needs " + expected);
    }
  }

  /**
   * Orders components by dependency level, by name within a level (Kahn's algorithm, level by
   * level). Reports a missing dependency first, then a cycle, so neither is hidden by the other.
   */
  private static List<Component> resolveLoadOrder(Map<String, Component> byName) {
    Map<String, List<String>> missing = new TreeMap<>();
    Map<String, Integer> unmetDependencies = new HashMap<>();
    Map<String, List<String>> dependents = new HashMap<>();
    for (Component component : byName.values()) {
      SequencedSet<String> dependencies = new LinkedHashSet<>(component.dependsOn());
      for (String dependency : dependencies) {
        if (!byName.containsKey(dependency)) {
          missing.computeIfAbsent(component.name(), name -> new ArrayList<>()).add(dependency);
        }
        dependents.computeIfAbsent(dependency, name -> new ArrayList<>()).add(component.name());
      }
      unmetDependencies.put(component.name(), dependencies.size());
    }
    if (!missing.isEmpty()) {
      var first = missing.entrySet().iterator().next();
      List<String> all =
          missing.entrySet().stream()
              .flatMap(entry -> entry.getValue().stream().map(dep -> entry.getKey() + " -> " + dep))
              .toList();
      throw new MissingDependencyException(first.getKey(), first.getValue().getFirst(), all);
    }

    List<Component> order = new ArrayList<>(byName.size());
    TreeSet<String> level = new TreeSet<>();
    unmetDependencies.forEach(
        (name, unmet) -> {
          if (unmet == 0) {
            level.add(name);
          }
        });
    while (!level.isEmpty()) {
      TreeSet<String> next = new TreeSet<>();
      for (String name : level) {
        order.add(requireNonNull(byName.get(name)));
        for (String dependent : dependents.getOrDefault(name, List.of())) {
          if (unmetDependencies.merge(dependent, -1, Integer::sum) == 0) {
            next.add(dependent);
          }
        }
      }
      level.clear();
      level.addAll(next);
    }
    if (order.size() < byName.size()) {
      throw new DependencyCycleException(findCycle(byName, order));
    }
    return List.copyOf(order);
  }

  /**
   * Finds one concrete cycle among the components Kahn's algorithm could not place. Every such
   * component depends on at least one other unplaced component, so following dependencies from any
   * of them must come back to a component already on the path.
   */
  private static List<String> findCycle(Map<String, Component> byName, List<Component> placed) {
    TreeSet<String> stuck = new TreeSet<>(byName.keySet());
    placed.forEach(component -> stuck.remove(component.name()));
    Map<String, Integer> positionOnPath = new LinkedHashMap<>();
    List<String> path = new ArrayList<>();
    String current = stuck.first();
    while (!positionOnPath.containsKey(current)) {
      positionOnPath.put(current, path.size());
      path.add(current);
      current =
          requireNonNull(byName.get(current)).dependsOn().stream()
              .filter(stuck::contains)
              .sorted()
              .findFirst()
              .orElseThrow();
    }
    int cycleStart = requireNonNull(positionOnPath.get(current));
    List<String> cycle = new ArrayList<>(path.subList(cycleStart, path.size()));
    cycle.add(current);
    return cycle;
  }
}
