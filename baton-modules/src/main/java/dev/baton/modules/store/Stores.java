package dev.baton.modules.store;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.Component;
import dev.baton.boot.Key;
import dev.baton.modules.store.spi.StoreBackend;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's named stores, shared under {@link #KEY}: the store module resolves each command's
 * store name here. Immutable after construction, so thread-safe.
 *
 * <p>Boot it with {@link #component()} (one in-memory store called {@value Store#DEFAULT_STORE} on
 * the node's clock), {@link #component(StoreBackend...)} (backends you made) or {@link
 * #component(Function)} (backends made from the node's clock). The component owns the backends: it
 * closes them when the node stops.
 */
public final class Stores {
  /** The key the node shares its stores under. */
  public static final Key<Stores> KEY = Key.of("store.backends", Stores.class);

  /** The name of the component that provides {@link #KEY}. */
  public static final String COMPONENT_NAME = "store.backends";

  private static final Logger LOG = LoggerFactory.getLogger(Stores.class);

  private final Map<String, StoreBackend> byName;

  /**
   * @param backends the stores, by their {@link StoreBackend#name()}
   * @throws IllegalArgumentException if two have the same name
   */
  public Stores(List<? extends StoreBackend> backends) {
    Map<String, StoreBackend> map = new LinkedHashMap<>();
    for (StoreBackend backend : backends) {
      requireNonNull(backend, "backend");
      if (map.putIfAbsent(backend.name(), backend) != null) {
        throw new IllegalArgumentException("two stores are named '" + backend.name() + "'");
      }
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  /**
   * The store called {@code name}.
   *
   * @throws StoreNotFoundException naming the stores there are, if there is none
   */
  public StoreBackend require(String name) {
    StoreBackend backend = byName.get(name);
    if (backend == null) {
      throw new StoreNotFoundException(name, byName.keySet());
    }
    return backend;
  }

  /** The stores' names, in the order given. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /** Closes every store, logging (not throwing) a failure, so each one gets closed. */
  void closeAll() {
    for (StoreBackend backend : byName.values()) {
      try {
        backend.close();
      } catch (RuntimeException e) {
        LOG.warn("closing store '{}' failed", backend.name(), e);
      }
    }
  }

  /**
   * A component providing one in-memory store, {@value Store#DEFAULT_STORE}, on the node's clock.
   */
  public static Component component() {
    return component(time -> List.of(new InMemoryStore(Store.DEFAULT_STORE, time)));
  }

  /**
   * A component providing {@code backends}, which it closes when the node stops. With none, it
   * provides the in-memory {@value Store#DEFAULT_STORE} store of {@link #component()}.
   */
  public static Component component(StoreBackend... backends) {
    List<StoreBackend> given = List.of(backends);
    return given.isEmpty() ? component() : component(time -> given);
  }

  /**
   * A component providing the backends {@code factory} makes from the node's time source when the
   * node loads (so in-memory stores follow a test's manual clock); it closes them when the node
   * stops. Depends on the time component ({@value SystemTimeSource#COMPONENT_NAME}).
   */
  public static Component component(
      Function<TimeSource, ? extends List<? extends StoreBackend>> factory) {
    requireNonNull(factory, "factory");
    AtomicReference<@Nullable Stores> loaded = new AtomicReference<>();
    return Component.named(COMPONENT_NAME)
        .dependsOn(SystemTimeSource.COMPONENT_NAME)
        .onLoad(
            context -> {
              Stores stores =
                  new Stores(new ArrayList<>(factory.apply(context.require(TimeSource.KEY))));
              loaded.set(stores);
              return context.with(KEY, stores);
            })
        .onStop(
            context -> {
              Stores stores = loaded.getAndSet(null);
              if (stores != null) {
                stores.closeAll();
              }
            })
        .build();
  }
}
