package dev.baton.contract;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.Component;
import dev.baton.boot.Key;
import dev.baton.tasks.TaskApp;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The node's bindings, shared under {@link #KEY}: the contract module resolves each {@link
 * Contracts.Open}'s binding id here. Immutable after construction, so thread-safe.
 *
 * <p>Boot it with {@link #component(Binding...)}. If any binding is remote, the component depends
 * on the component {@value #TASKS_COMPONENT} that shares the node's {@link TaskApp} under {@link
 * TaskApp#KEY} (the function module's), and at load makes the app's typed stub of each remote
 * interface, so the interface is checked by the stubs' own rules and the app encodes the calls with
 * the interface's parameter types. The component owns neither the app nor shared implementations.
 */
public final class Bindings {
  /** The key the node shares its bindings under. */
  public static final Key<Bindings> KEY = Key.of("contract.bindings", Bindings.class);

  /** The name of the component that provides {@link #KEY}. */
  public static final String COMPONENT_NAME = "contract.bindings";

  /** The name of the component remote bindings need, sharing the node's {@link TaskApp}. */
  public static final String TASKS_COMPONENT = "tasks";

  private final Map<String, Binding> byId;
  private final @Nullable TaskApp app;

  /**
   * @param bindings the bindings, by their {@link Binding#id()}
   * @param app the node's task app, for remote bindings; null if there are none
   * @throws IllegalArgumentException if two bindings have one id
   * @throws IllegalStateException if a binding is remote and {@code app} is null
   */
  public Bindings(List<Binding> bindings, @Nullable TaskApp app) {
    Map<String, Binding> map = new LinkedHashMap<>();
    for (Binding binding : bindings) {
      requireNonNull(binding, "binding");
      if (map.putIfAbsent(binding.id(), binding) != null) {
        throw new IllegalArgumentException("two bindings have the id '" + binding.id() + "'");
      }
      if (binding.isRemote()) {
        if (app == null) {
          throw new IllegalStateException(
              "binding '"
                  + binding.id()
                  + "' is remote, so it needs the node's task app, but no component shared one"
                  + " under TaskApp.KEY; add the '"
                  + TASKS_COMPONENT
                  + "' component, for example Component.named(\""
                  + TASKS_COMPONENT
                  + "\").onLoad(ctx -> ctx.with(TaskApp.KEY, app))");
        }
        // The stub checks the interface by the task framework's own rules and makes the app
        // remember the methods' signatures, so calls encode and decode as the stub's would.
        Object stub =
            binding.options() == null
                ? app.stub(binding.contract())
                : app.stub(binding.contract(), requireNonNull(binding.options()));
        requireNonNull(stub, "stub");
      }
    }
    this.byId = Collections.unmodifiableMap(map);
    this.app = app;
  }

  /**
   * The binding {@code id}.
   *
   * @throws BindingNotFoundException listing the bindings there are, if there is none
   */
  public Binding require(String id) {
    Binding binding = byId.get(id);
    if (binding == null) {
      throw new BindingNotFoundException(id, byId.keySet());
    }
    return binding;
  }

  /** The bindings' ids, in the order given. */
  public List<String> ids() {
    return List.copyOf(byId.keySet());
  }

  /** The task app remote bindings call through; null when no binding is remote. */
  @Nullable TaskApp app() {
    return app;
  }

  /**
   * A component providing {@code bindings} under {@link #KEY}. With a remote binding among them it
   * depends on {@value #TASKS_COMPONENT} and fails the node's load if that component shares no
   * {@link TaskApp}.
   */
  public static Component component(Binding... bindings) {
    List<Binding> given = List.of(bindings);
    boolean remote = given.stream().anyMatch(Binding::isRemote);
    Component.Builder builder = Component.named(COMPONENT_NAME);
    if (remote) {
      builder = builder.dependsOn(TASKS_COMPONENT);
    }
    return builder
        .onLoad(
            context ->
                context.with(
                    KEY,
                    new Bindings(given, remote ? context.find(TaskApp.KEY).orElse(null) : null)))
        .build();
  }
}
