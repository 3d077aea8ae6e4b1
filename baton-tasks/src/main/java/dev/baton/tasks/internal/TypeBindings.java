package dev.baton.tasks.internal;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * What the type variables of a generic record or class stand for where it is used: in {@code
 * Page<Point>}, {@code T} is {@code Point}, so the component {@code List<T> items} is checked as
 * {@code List<Point>}. Used by {@link TypeChecks} to walk into generic types.
 *
 * <p>Immutable; thread-safe.
 */
final class TypeBindings {

  static final TypeBindings EMPTY = new TypeBindings(Map.of());

  private final Map<TypeVariable<?>, Type> bound;

  private TypeBindings(Map<TypeVariable<?>, Type> bound) {
    this.bound = bound;
  }

  /**
   * The bindings of {@code raw}'s type parameters to {@code arguments}, each resolved against these
   * bindings first (so a superclass {@code Base<List<T>>} sees the subclass's {@code T}).
   */
  TypeBindings bind(Class<?> raw, Type[] arguments) {
    TypeVariable<?>[] parameters = raw.getTypeParameters();
    Map<TypeVariable<?>, Type> map = new HashMap<>();
    for (int i = 0; i < parameters.length && i < arguments.length; i++) {
      map.put(parameters[i], resolve(arguments[i]));
    }
    return new TypeBindings(map);
  }

  /** {@code type} with every bound type variable replaced by what it stands for. */
  Type resolve(Type type) {
    return switch (type) {
      case TypeVariable<?> variable -> {
        Type value = bound.get(variable);
        yield value != null ? value : variable;
      }
      case ParameterizedType parameterized -> {
        Type[] arguments = parameterized.getActualTypeArguments();
        Type[] resolved = new Type[arguments.length];
        boolean changed = false;
        for (int i = 0; i < arguments.length; i++) {
          resolved[i] = resolve(arguments[i]);
          changed |= !resolved[i].equals(arguments[i]);
        }
        yield changed
            ? new Parameterized(
                parameterized.getRawType(), List.of(resolved), parameterized.getOwnerType())
            : parameterized;
      }
      case GenericArrayType array -> {
        Type component = resolve(array.getGenericComponentType());
        if (component instanceof Class<?> c) {
          yield c.arrayType();
        }
        yield component.equals(array.getGenericComponentType())
            ? array
            : (GenericArrayType) () -> component;
      }
      default -> type;
    };
  }

  /** A key naming {@code raw} with these bindings: {@code com.x.Page<com.x.Point>}. */
  String describe(Class<?> raw) {
    TypeVariable<?>[] parameters = raw.getTypeParameters();
    if (parameters.length == 0) {
      return raw.getName();
    }
    StringJoiner joiner = new StringJoiner(",", raw.getName() + "<", ">");
    for (TypeVariable<?> parameter : parameters) {
      Type value = bound.get(parameter);
      joiner.add(value == null ? parameter.getName() : value.getTypeName());
    }
    return joiner.toString();
  }

  /** A parameterized type built by substitution. */
  private record Parameterized(Type rawType, List<Type> arguments, @Nullable Type ownerType)
      implements ParameterizedType {

    @Override
    public Type[] getActualTypeArguments() {
      return arguments.toArray(Type[]::new);
    }

    @Override
    public Type getRawType() {
      return rawType;
    }

    @Override
    public @Nullable Type getOwnerType() {
      return ownerType;
    }

    @Override
    public String getTypeName() {
      StringJoiner joiner = new StringJoiner(", ", rawType.getTypeName() + "<", ">");
      for (Type argument : arguments) {
        joiner.add(argument.getTypeName());
      }
      return joiner.toString();
    }

    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof ParameterizedType that
          && rawType.equals(that.getRawType())
          && Arrays.equals(getActualTypeArguments(), that.getActualTypeArguments());
    }

    @Override
    public int hashCode() {
      return arguments.hashCode() ^ rawType.hashCode();
    }

    @Override
    public String toString() {
      return getTypeName();
    }
  }
}
