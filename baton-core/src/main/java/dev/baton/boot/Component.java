package dev.baton.boot;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * One part of a node: it names the components it depends on, provides services to the shared {@link
 * AppContext} when it loads, and may run something between start and stop.
 *
 * <p>{@link Boot} calls these methods from one thread, in dependency order: every {@code load}
 * first, then every {@code start}, and at shutdown every {@code stop} in reverse. {@code stop} is
 * called for every component whose {@code load} succeeded, even if the node never started, so a
 * component releases in {@code stop} whatever its {@code load} acquired.
 *
 * <p>Implement the interface, or build one from functions with {@link #named(String)}.
 */
public interface Component {

  /** The component's name, unique within a node; other components depend on it by this name. */
  String name();

  /** The names of the components that must load before this one. */
  default List<String> dependsOn() {
    return List.of();
  }

  /**
   * Prepares this component and returns {@code context} enriched with the services it provides.
   * Called once, after every dependency has loaded.
   */
  default AppContext load(AppContext context) throws Exception {
    return context;
  }

  /**
   * Starts this component's activity. Called once, in load order, after every component has loaded
   * and the context has been sealed.
   */
  default void start(AppContext context) throws Exception {}

  /** Stops this component's activity and releases what it holds. Called once, in reverse order. */
  default void stop(AppContext context) throws Exception {}

  /** Starts building a component from functions, the way a small component is usually written. */
  static Builder named(String name) {
    return new Builder(name);
  }

  /** A component's {@code load}, written as a function. */
  @FunctionalInterface
  interface LoadAction {
    AppContext load(AppContext context) throws Exception;
  }

  /** A component's {@code start} or {@code stop}, written as a function. */
  @FunctionalInterface
  interface LifecycleAction {
    void run(AppContext context) throws Exception;
  }

  /** Builds a {@link Component} from functions; a step left unset does nothing. */
  final class Builder {
    private final String name;
    private final List<String> dependsOn = new ArrayList<>();
    private LoadAction load = context -> context;
    private LifecycleAction start = context -> {};
    private LifecycleAction stop = context -> {};

    private Builder(String name) {
      this.name = requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a component's name must not be blank");
      }
    }

    /** Adds components that must load before this one. */
    public Builder dependsOn(String... names) {
      for (String dependency : names) {
        dependsOn.add(requireNonNull(dependency, "dependency name"));
      }
      return this;
    }

    /** Sets what the component does when it loads. */
    public Builder onLoad(LoadAction action) {
      this.load = requireNonNull(action, "action");
      return this;
    }

    /** Sets what the component does when the node starts. */
    public Builder onStart(LifecycleAction action) {
      this.start = requireNonNull(action, "action");
      return this;
    }

    /** Sets what the component does when the node stops. */
    public Builder onStop(LifecycleAction action) {
      this.stop = requireNonNull(action, "action");
      return this;
    }

    /** Returns the component. */
    public Component build() {
      return new FunctionalComponent(name, List.copyOf(dependsOn), load, start, stop);
    }
  }
}
