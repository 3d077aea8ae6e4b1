package dev.baton.boot;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The node's shared services, each under a typed {@link Key}.
 *
 * <p>An {@code AppContext} is an immutable value: {@link #with} returns a new context, which is how
 * a component's {@code load} enriches the context it was given. Once the node starts, {@link Boot}
 * {@linkplain #seal() seals} the final context; a sealed context refuses new services, so every
 * reader sees the same set for the node's whole life. Being immutable, a context may be read from
 * any thread without synchronisation.
 */
public final class AppContext {
  private static final AppContext EMPTY = new AppContext(Map.of(), false);

  /** Insertion-ordered and never modified after construction. */
  private final Map<Key<?>, Object> services;

  private final boolean sealed;

  private AppContext(Map<Key<?>, Object> services, boolean sealed) {
    this.services = services;
    this.sealed = sealed;
  }

  /** Returns the context that holds no service. */
  public static AppContext empty() {
    return EMPTY;
  }

  /**
   * Returns a context that holds every service of this one plus {@code value} under {@code key}.
   *
   * @throws DuplicateServiceException if this context already holds a service of that name
   * @throws SealedContextException if this context is sealed
   */
  public <T> AppContext with(Key<T> key, T value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    if (sealed) {
      throw new SealedContextException(key);
    }
    for (Key<?> existing : services.keySet()) {
      if (existing.name().equals(key.name())) {
        throw new DuplicateServiceException(key, existing);
      }
    }
    Map<Key<?>, Object> enriched = new LinkedHashMap<>(services);
    enriched.put(key, key.type().cast(value));
    return new AppContext(Collections.unmodifiableMap(enriched), false);
  }

  /**
   * Returns the service under {@code key}.
   *
   * @throws MissingServiceException if there is none, naming the services there are
   */
  public <T> T require(Key<T> key) {
    Object value = services.get(requireNonNull(key, "key"));
    if (value == null) {
      throw new MissingServiceException(key, services.keySet());
    }
    return key.type().cast(value);
  }

  /** Returns the service under {@code key}, or empty if this context holds none. */
  public <T> Optional<T> find(Key<T> key) {
    @Nullable Object value = services.get(requireNonNull(key, "key"));
    return value == null ? Optional.empty() : Optional.of(key.type().cast(value));
  }

  /** Returns whether this context holds a service under {@code key}. */
  public boolean contains(Key<?> key) {
    return services.containsKey(key);
  }

  /** Returns the keys of this context, in the order their services were added. */
  public Set<Key<?>> keys() {
    return services.keySet();
  }

  /** Returns whether this context refuses new services. */
  public boolean isSealed() {
    return sealed;
  }

  /** Returns a sealed context holding the same services; returns this one if already sealed. */
  public AppContext seal() {
    return sealed ? this : new AppContext(services, true);
  }

  /** Returns the service under {@code key} as its raw value, for the node's own iteration. */
  Object rawValue(Key<?> key) {
    return requireNonNull(services.get(key), "no such key");
  }

  @Override
  public String toString() {
    return "AppContext" + (sealed ? " (sealed) " : " ") + services.keySet();
  }
}
