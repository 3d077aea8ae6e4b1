package dev.baton.tasks.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.tasks.internal.ContainerCorrectors.CollectionKind;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the {@link ValueCorrector} for a declared type, once, when a signature is prepared: the
 * type is inspected here so that correcting a value later is a walk over ready objects with no
 * reflection.
 *
 * <p>Which corrector a type gets:
 *
 * <ul>
 *   <li>numbers (primitive, boxed, {@code BigInteger}, {@code BigDecimal}) — {@link
 *       NumberCorrector}, lossless conversions only;
 *   <li>{@code String}, {@code boolean} — only their own type; {@code char} — also a one-character
 *       string;
 *   <li>{@code List}, {@code Set}, {@code Collection}, {@code Map}, {@code Optional}, arrays —
 *       {@link ContainerCorrectors}, element by element;
 *   <li>anything else (records, POJOs, enums, {@code java.time}, {@code UUID}, generic records) —
 *       an instance passes, a JSON-shaped value is converted by Jackson.
 * </ul>
 *
 * <p>Types {@link TypeChecks} refuses (wildcards, type variables) still get a corrector (one that
 * passes instances of their erasure), so preparing never fails; refusing is the checks' job.
 * Stateless; thread-safe.
 */
final class ValueCorrectors {

  private ValueCorrectors() {}

  /** The corrector for {@code type}, converting through {@code mapper} where Jackson is needed. */
  static ValueCorrector forType(Type type, ObjectMapper mapper) {
    String name = TypeNames.of(type);
    if (type instanceof Class<?> c) {
      return forClass(c, name, mapper);
    }
    if (type instanceof ParameterizedType parameterized
        && parameterized.getRawType() instanceof Class<?> raw) {
      Type[] arguments = parameterized.getActualTypeArguments();
      if ((raw == List.class || raw == Set.class || raw == Collection.class)
          && arguments.length == 1) {
        CollectionKind kind =
            raw == List.class
                ? CollectionKind.LIST
                : raw == Set.class ? CollectionKind.SET : CollectionKind.COLLECTION;
        return new ContainerCorrectors.OfCollection(kind, forType(arguments[0], mapper), name);
      }
      if (raw == Map.class && arguments.length == 2) {
        return new ContainerCorrectors.OfMap(
            mapKey(arguments[0], mapper), forType(arguments[1], mapper), name);
      }
      if (raw == Optional.class && arguments.length == 1) {
        return new ContainerCorrectors.OfOptional(forType(arguments[0], mapper));
      }
      return converting(raw, type, name, mapper);
    }
    return converting(erasure(type), type, name, mapper);
  }

  private static ValueCorrector forClass(Class<?> c, String name, ObjectMapper mapper) {
    NumberCorrector.Kind number = NumberCorrector.Kind.of(c);
    if (number != null) {
      return new NumberCorrector(number, c.isPrimitive(), name);
    }
    if (c == String.class) {
      return new ScalarCorrectors.Strict(String.class, false, name);
    }
    if (c == boolean.class || c == Boolean.class) {
      return new ScalarCorrectors.Strict(Boolean.class, c.isPrimitive(), name);
    }
    if (c == char.class || c == Character.class) {
      return new ScalarCorrectors.OfCharacter(c.isPrimitive(), name);
    }
    if (c.isArray()) {
      Class<?> component = c.getComponentType();
      return new ContainerCorrectors.OfArray(
          c,
          forClass(component, TypeNames.of(component), mapper),
          converting(c, c, name, mapper),
          name);
    }
    return converting(c, c, name, mapper);
  }

  private static ValueCorrector mapKey(Type keyType, ObjectMapper mapper) {
    ValueCorrector key = forType(keyType, mapper);
    boolean numeric = keyType instanceof Class<?> c && NumberCorrector.Kind.of(c) != null;
    return new ContainerCorrectors.OfMapKey(key, numeric);
  }

  private static ValueCorrector converting(
      Class<?> raw, Type type, String name, ObjectMapper mapper) {
    return new ScalarCorrectors.Converting(
        raw, mapper.getTypeFactory().constructType(type), mapper, name);
  }

  /** The class a value of {@code type} is an instance of ({@code Object} when unknown). */
  static Class<?> erasure(Type type) {
    return switch (type) {
      case Class<?> c -> c;
      case ParameterizedType p -> erasure(p.getRawType());
      case GenericArrayType g ->
          java.lang.reflect.Array.newInstance(erasure(g.getGenericComponentType()), 0).getClass();
      default -> Object.class;
    };
  }
}
