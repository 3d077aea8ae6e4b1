package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.boot.Component;
import dev.baton.boot.Freezable;
import dev.baton.boot.Key;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The node's table from command id to {@link Handler}.
 *
 * <p><b>Design.</b> The registry lives in two phases. While the node loads, modules register
 * handlers through their {@link Registrar}s, from any number of threads, under one lock: system ids
 * (below {@link CommandId#FIRST_CUSTOM}) in an array, custom ids in a map. {@link #freeze()} then
 * copies them, with the {@linkplain DispatchInterceptor interceptors} composed around each handler,
 * into an immutable {@link FrozenHandlers} (an array indexed by system id and an open-addressed
 * table of custom ids) and publishes it through one volatile field. From then on a lookup is a
 * volatile read and array loads: no lock, no allocation. Registration after the freeze fails, so
 * nothing is written once lookups stop locking; that is what makes the lock-free reads safe.
 *
 * <p>Before the freeze, lookups take the lock and return handlers without interceptors (nothing is
 * dispatched before the node starts, but tests and tools may look).
 */
public final class Registry implements Freezable {
  /** The key under which a node shares its registry. */
  public static final Key<Registry> KEY = Key.of("dispatch.registry", Registry.class);

  /** The name of the boot component that provides the registry; dispatchers depend on it. */
  public static final String COMPONENT_NAME = "dispatcher";

  private final CommandIdReservations reservations;

  private final Object lock = new Object();

  @GuardedBy("lock")
  private final @Nullable Registered[] systemHandlers = new Registered[CommandId.FIRST_CUSTOM];

  @GuardedBy("lock")
  private final Map<Integer, Registered> customHandlers = new HashMap<>();

  @GuardedBy("lock")
  private final List<DispatchInterceptor> interceptors = new ArrayList<>();

  /** Null until {@link #freeze()}; written once, under {@link #lock}, then only read. */
  private volatile @Nullable FrozenHandlers frozen;

  /** Completes a command nobody handles with {@link UnknownCommandException}. */
  private final Handler unknownCommand =
      (context, command, tag, receiver) ->
          receiver.completeYield(
              tag,
              null,
              new UnknownCommandException(
                  command.commandId(), reservations().ownerOf(command.commandId())));

  /** Creates an empty registry with its own, empty, table of id reservations. */
  public Registry() {
    this(new CommandIdReservations());
  }

  /** Creates an empty registry that checks registrations against {@code reservations}. */
  public Registry(CommandIdReservations reservations) {
    this.reservations = requireNonNull(reservations, "reservations");
  }

  /**
   * Returns the boot component, named {@value #COMPONENT_NAME}, that creates a registry and shares
   * it under {@link #KEY}; {@link dev.baton.boot.Boot} freezes it when the node starts.
   */
  public static Component component() {
    return Component.named(COMPONENT_NAME)
        .onLoad(context -> context.with(KEY, new Registry()))
        .build();
  }

  /** The table of which module owns which id, against which registrations are checked. */
  public CommandIdReservations reservations() {
    return reservations;
  }

  /** Returns the registrar through which {@code module} registers its handlers. */
  public Registrar registrar(String module) {
    requireNonNull(module, "module");
    return new ModuleRegistrar(module);
  }

  /**
   * Adds an interceptor around every dispatch; the first added is the outermost.
   *
   * @throws IllegalStateException if the registry is frozen
   */
  public void addInterceptor(DispatchInterceptor interceptor) {
    requireNonNull(interceptor, "interceptor");
    synchronized (lock) {
      if (frozen != null) {
        throw new IllegalStateException(
            "cannot add an interceptor after the registry is frozen; add it while components load");
      }
      interceptors.add(interceptor);
    }
  }

  /**
   * Makes the registry read-only and its lookups lock-free. One-way; calling it again does nothing.
   */
  @Override
  public void freeze() {
    synchronized (lock) {
      if (frozen != null) {
        return;
      }
      @Nullable Handler[] system = new Handler[CommandId.FIRST_CUSTOM];
      for (int id = 0; id < system.length; id++) {
        Registered registered = systemHandlers[id];
        if (registered != null) {
          system[id] = intercepted(registered.handler());
        }
      }
      Map<Integer, Handler> custom = new HashMap<>();
      customHandlers.forEach((id, registered) -> custom.put(id, intercepted(registered.handler())));
      frozen = new FrozenHandlers(system, custom, intercepted(unknownCommand));
    }
  }

  /** Returns whether {@link #freeze()} has been called. */
  public boolean isFrozen() {
    return frozen != null;
  }

  /**
   * Returns the handler for command id {@code id}, or null if there is none (including for values
   * that are not command ids). Lock-free once frozen. Once frozen it returns the handler with the
   * interceptors composed around it, before the freeze the handler as registered; either way, call
   * it through {@link CommandRouter}, which turns its failures into completions.
   */
  public @Nullable Handler handler(int id) {
    FrozenHandlers table = frozen;
    if (table != null) {
      return table.get(id);
    }
    synchronized (lock) {
      Registered registered = registeredFor(id);
      return registered == null ? null : registered.handler();
    }
  }

  /** Returns the handler for {@code id}, or null if there is none. */
  public @Nullable Handler handler(CommandId id) {
    return handler(id.value());
  }

  /** Returns whether a handler is registered for {@code id}. */
  public boolean has(CommandId id) {
    return handler(id.value()) != null;
  }

  /**
   * The handler the router uses for an id nobody handles: it completes the tag with {@link
   * UnknownCommandException}, inside the interceptors once frozen, so that metrics and tracing see
   * misrouted commands too.
   */
  Handler unknownCommandHandler() {
    FrozenHandlers table = frozen;
    return table != null ? table.unknownCommand() : unknownCommand;
  }

  private void register(String module, CommandId id, Handler handler) {
    requireNonNull(id, "id");
    requireNonNull(handler, "handler");
    synchronized (lock) {
      if (frozen != null) {
        throw new RegistryFrozenException(id, module);
      }
      Optional<String> owner = reservations.ownerOf(id);
      if (!owner.equals(Optional.of(module))) {
        throw new UnreservedCommandIdException(id, module, owner);
      }
      Registered existing = registeredFor(id.value());
      if (existing != null) {
        throw new DuplicateHandlerException(id, existing.module());
      }
      Registered registered = new Registered(module, handler);
      if (id.isSystem()) {
        systemHandlers[id.value()] = registered;
      } else {
        customHandlers.put(id.value(), registered);
      }
    }
  }

  @GuardedBy("lock")
  private @Nullable Registered registeredFor(int id) {
    if (id >= 0 && id < CommandId.FIRST_CUSTOM) {
      return systemHandlers[id];
    }
    return customHandlers.get(id);
  }

  @GuardedBy("lock")
  private Handler intercepted(Handler handler) {
    Handler composed = handler;
    for (DispatchInterceptor interceptor : interceptors.reversed()) {
      Handler next = composed;
      composed =
          (context, command, tag, receiver) ->
              interceptor.dispatch(context, command, tag, receiver, next);
    }
    return composed;
  }

  /** A handler and the module that registered it, for error messages. */
  private record Registered(String module, Handler handler) {}

  /** Registers handlers on behalf of one module. */
  private final class ModuleRegistrar implements Registrar {
    private final String module;

    ModuleRegistrar(String module) {
      this.module = module;
    }

    @Override
    public String module() {
      return module;
    }

    @Override
    public void register(CommandId id, Handler handler) {
      Registry.this.register(module, id, handler);
    }
  }
}
