package dev.baton.contract;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.TaskOptions;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A binding: an id, a Java interface, and how {@link Contracts.Open} reaches an implementation of
 * it. Declare bindings in {@link Bindings#component(Binding...)}.
 *
 * <ul>
 *   <li>{@link #shared}: one object serves every instance (it must be thread-safe; the module never
 *       closes it);
 *   <li>{@link #perInstance}: a factory called at each Open with the Open's values, so each
 *       instance has its own state; an instance that is {@link AutoCloseable} is closed when its
 *       owner ends or closes it, once no call runs on it;
 *   <li>{@link #remote}: the methods run as the tasks the typed stubs name ({@code
 *       SimpleInterfaceName.method} or the method's {@link dev.baton.tasks.TaskName}), through the
 *       node's {@link dev.baton.tasks.TaskApp}; a worker app that did {@code
 *       registerAll(Iface.class, impl)} serves them.
 * </ul>
 *
 * <p>The interface is read by the stubs' rules when the binding is made: an interface with
 * overloads lacking {@code @TaskName} is refused here, as {@code registerAll} and {@code stub}
 * refuse it.
 *
 * <p>Immutable, so thread-safe.
 */
public final class Binding {

  /** How instances are reached. */
  enum Kind {
    SHARED,
    PER_INSTANCE,
    REMOTE
  }

  private final String id;
  private final ContractInterface contract;
  private final Kind kind;
  private final @Nullable Object implementation;
  private final @Nullable Function<Map<String, Object>, ?> factory;
  private final @Nullable TaskOptions options;

  private Binding(
      String id,
      ContractInterface contract,
      Kind kind,
      @Nullable Object implementation,
      @Nullable Function<Map<String, Object>, ?> factory,
      @Nullable TaskOptions options) {
    this.id = id;
    this.contract = contract;
    this.kind = kind;
    this.implementation = implementation;
    this.factory = factory;
    this.options = options;
  }

  /**
   * A binding whose every instance calls {@code implementation}, on a virtual thread per call.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code id} is blank, {@code contract} is not an interface,
   *     breaks the stubs' naming rules (the message names the methods), or cannot be called by
   *     reflection from this module (not public, or its package not exported or opened to {@code
   *     dev.baton.contract})
   */
  public static <T> Binding shared(String id, Class<T> contract, T implementation) {
    requireNonNull(implementation, "implementation");
    ContractInterface described = ContractInterface.describe(contract).checkCallableLocally();
    if (!contract.isInstance(implementation)) {
      throw new IllegalArgumentException(
          implementation.getClass().getName() + " does not implement " + contract.getName());
    }
    return new Binding(checkId(id), described, Kind.SHARED, implementation, null, null);
  }

  /**
   * A binding whose instances {@code factory} makes, one per {@link Contracts.Open}, from the
   * Open's values. The factory runs on a virtual thread (it may block); if it throws, Open fails
   * with {@link ContractCallFailedException} carrying its exception. An instance's methods run one
   * at a time while its process waits for each ({@link Contracts.Call}); with several {@link
   * Contracts.AsyncCall}s pending they run concurrently, so such an instance must be thread-safe.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException as {@link #shared}
   */
  public static <T> Binding perInstance(
      String id, Class<T> contract, Function<Map<String, Object>, ? extends T> factory) {
    requireNonNull(factory, "factory");
    return new Binding(
        checkId(id),
        ContractInterface.describe(contract).checkCallableLocally(),
        Kind.PER_INSTANCE,
        null,
        factory,
        null);
  }

  /**
   * A binding whose methods run as tasks of the node's {@link dev.baton.tasks.TaskApp} (the
   * component {@value Bindings#TASKS_COMPONENT} shares it), with the tasks' default options.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code id} is blank, {@code contract} is not an interface,
   *     or breaks the stubs' naming rules (the message names the methods)
   */
  public static Binding remote(String id, Class<?> contract) {
    return new Binding(
        checkId(id), ContractInterface.describe(contract), Kind.REMOTE, null, null, null);
  }

  /**
   * This remote binding with {@code options} for every call (timeout, retries, queue...).
   *
   * @throws IllegalStateException if this binding is not remote
   */
  public Binding withOptions(TaskOptions options) {
    requireNonNull(options, "options");
    if (kind != Kind.REMOTE) {
      throw new IllegalStateException("binding '" + id + "' is local; task options are for remote");
    }
    return new Binding(id, contract, kind, null, null, options);
  }

  /** The binding's id, as {@link Contracts.Open} names it. */
  public String id() {
    return id;
  }

  /** The bound interface. */
  public Class<?> contract() {
    return contract.contract();
  }

  /** Whether the methods run as tasks of the node's task app. */
  public boolean isRemote() {
    return kind == Kind.REMOTE;
  }

  /** The names the interface's methods can be called by, sorted. */
  public java.util.Set<String> methodNames() {
    return contract.names();
  }

  ContractInterface described() {
    return contract;
  }

  Kind kind() {
    return kind;
  }

  @Nullable Object implementation() {
    return implementation;
  }

  @Nullable Function<Map<String, Object>, ?> factory() {
    return factory;
  }

  @Nullable TaskOptions options() {
    return options;
  }

  @Override
  public String toString() {
    return "Binding[" + id + ", " + contract.contract().getName() + ", " + kind + "]";
  }

  private static String checkId(String id) {
    requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("id must not be blank");
    }
    return id;
  }
}
