package dev.baton.boot;

import static java.util.Objects.requireNonNull;

/**
 * The typed name of one shared service in an {@link AppContext}.
 *
 * <p>Each shared service defines its well-known key beside itself (for example {@code
 * Registry.KEY}). Two keys are equal when their names and types are equal; an {@link AppContext}
 * holds at most one service per name.
 *
 * @param name the service's name, unique within a context, for example {@code "dispatch.registry"}
 * @param type the type callers receive the service as
 * @param <T> the type of the service
 */
public record Key<T>(String name, Class<T> type) {

  /** Rejects a blank name, which could not be told apart in error messages. */
  public Key {
    requireNonNull(name, "name");
    requireNonNull(type, "type");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a key's name must not be blank");
    }
  }

  /** Returns the key for the service {@code name} of type {@code type}. */
  public static <T> Key<T> of(String name, Class<T> type) {
    return new Key<>(name, type);
  }

  @Override
  public String toString() {
    return name + " (" + type.getSimpleName() + ")";
  }
}
