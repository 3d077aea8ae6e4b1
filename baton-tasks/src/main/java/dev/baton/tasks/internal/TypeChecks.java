package dev.baton.tasks.internal;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.TaskConfigurationException;
import dev.baton.tasks.TaskSignature;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Registration-time check that every parameter and the return type of a task can travel: that the
 * marshallers can write it and read it back as the same type without guessing a class.
 *
 * <p>Why up front: a type Baton cannot carry would otherwise fail on the first remote call, on
 * another machine, long after the mistake. And why these refusals: reading a payload must never
 * choose a class the signature does not name (that is how deserialization attacks work), so every
 * type must be concrete all the way down — no raw {@code Object}, no interfaces or abstract classes
 * (except the collection interfaces, whose implementation Baton picks), no wildcards, no type
 * variables, no raw generic types.
 *
 * <p>Supported: primitives and their boxes; {@code String}, {@code BigDecimal}, {@code BigInteger},
 * {@code UUID}, {@code URI}; enums; the {@code java.time} value types; records (each component
 * checked in turn); concrete, static classes with a no-argument constructor (each field checked);
 * arrays of supported types; {@code List}, {@code Set}, {@code Collection} and {@code Optional} of
 * a supported type; {@code Map} whose keys are {@code String}, an enum or a boxed number and whose
 * values are supported. A return type may also be {@code void}. Generic records and classes are
 * supported with their type arguments given ({@code Page<Point>}).
 *
 * <p>Stateless; thread-safe.
 */
public final class TypeChecks {

  /** Generic types nest no deeper than this (a type that grows as it nests would not end). */
  private static final int MAX_DEPTH = 32;

  private static final Set<Class<?>> JDK_VALUE_TYPES =
      Set.of(
          String.class,
          Boolean.class,
          Character.class,
          Byte.class,
          Short.class,
          Integer.class,
          Long.class,
          Float.class,
          Double.class,
          BigDecimal.class,
          BigInteger.class,
          UUID.class,
          URI.class,
          Instant.class,
          Duration.class,
          Period.class,
          LocalDate.class,
          LocalTime.class,
          LocalDateTime.class,
          OffsetDateTime.class,
          OffsetTime.class,
          ZonedDateTime.class,
          Year.class,
          YearMonth.class,
          MonthDay.class,
          ZoneId.class,
          ZoneOffset.class);

  private static final Set<Class<?>> MAP_KEY_TYPES =
      Set.of(
          String.class,
          Byte.class,
          Short.class,
          Integer.class,
          Long.class,
          Float.class,
          Double.class);

  private static final Set<Class<?>> COLLECTION_INTERFACES =
      Set.of(List.class, Set.class, Collection.class);

  private TypeChecks() {}

  /**
   * Checks every parameter type and the return type of {@code signature}.
   *
   * @throws TaskConfigurationException naming the task, the parameter (or the return type), the
   *     nested component or field at fault, and what to declare instead; for example {@code task
   *     move: parameter p has type Line, which Baton cannot carry: record component Line.extra has
   *     type Object: raw Object says nothing about what to create; declare a concrete type}
   */
  public static void validate(TaskSignature signature) {
    requireNonNull(signature, "signature");
    for (int i = 0; i < signature.arity(); i++) {
      Type type = signature.parameterTypes().get(i);
      String subject = "parameter " + signature.parameterNames().get(i);
      if (void.class.equals(type) || Void.class.equals(type)) {
        throw refused(signature.name(), subject, type, "", "void is not a parameter type");
      }
      check(signature.name(), subject, type);
    }
    if (!signature.isVoid()) {
      check(signature.name(), "return type", signature.returnType());
    }
  }

  private static void check(String task, String subject, Type type) {
    try {
      new Walk().check(type, 0);
    } catch (Refusal refusal) {
      throw refused(task, subject, type, refusal.where, refusal.reason);
    }
  }

  private static TaskConfigurationException refused(
      String task, String subject, Type type, String where, String reason) {
    return new TaskConfigurationException(
        "task "
            + task
            + ": "
            + subject
            + " has type "
            + TypeNames.of(type)
            + ", which Baton cannot carry: "
            + where
            + reason);
  }

  /** Why a nested type was refused, and where. */
  private static final class Refusal extends RuntimeException {
    final String where;
    final String reason;

    Refusal(String where, String reason) {
      super(where + reason, null, false, false);
      this.where = where;
      this.reason = reason;
    }
  }

  /** One walk over a type; remembers the records and classes already checked (types may recur). */
  private static final class Walk {
    private final Set<String> checked = new HashSet<>();

    /** Checks a type whose type variables are already resolved (those left are unbound). */
    void check(Type type, int depth) {
      if (depth > MAX_DEPTH) {
        throw new Refusal("", "types nest deeper than " + MAX_DEPTH + " levels");
      }
      switch (type) {
        case Class<?> c -> checkClass(c, depth);
        case ParameterizedType p -> checkParameterized(p, depth);
        case TypeVariable<?> v ->
            throw new Refusal(
                "",
                "the type variable "
                    + v.getName()
                    + " says nothing about what to create; declare a concrete type");
        case WildcardType w ->
            throw new Refusal(
                "",
                "the wildcard "
                    + TypeNames.of(w)
                    + " says nothing about what to create; declare the type argument"
                    + " (List<String>, not List<?>)");
        case GenericArrayType g ->
            throw new Refusal(
                "",
                "generic arrays such as "
                    + TypeNames.of(g)
                    + " are not supported; declare a List instead");
        default -> throw new Refusal("", "unknown kind of type " + type.getTypeName());
      }
    }

    private void checkClass(Class<?> c, int depth) {
      if (c.isPrimitive()) {
        if (c == void.class) {
          throw new Refusal("", "void can only be a return type");
        }
        return;
      }
      if (c.isArray()) {
        check(c.getComponentType(), depth + 1);
        return;
      }
      if (c.getTypeParameters().length > 0) {
        throw new Refusal(
            "",
            "raw "
                + TypeNames.of(c)
                + " does not say what it holds; declare its type arguments, such as "
                + TypeNames.of(c)
                + exampleArguments(c));
      }
      checkConcrete(c, TypeBindings.EMPTY, depth);
    }

    private void checkParameterized(ParameterizedType p, int depth) {
      if (!(p.getRawType() instanceof Class<?> raw)) {
        throw new Refusal("", "unknown kind of type " + p.getTypeName());
      }
      Type[] arguments = p.getActualTypeArguments();
      if (COLLECTION_INTERFACES.contains(raw) || raw == Optional.class) {
        check(arguments[0], depth + 1);
        return;
      }
      if (raw == Map.class) {
        Type key = arguments[0];
        if (!(key instanceof Class<?> keyClass)
            || !(MAP_KEY_TYPES.contains(keyClass) || keyClass.isEnum())) {
          throw new Refusal(
              "",
              "map keys must be String, an enum or a boxed number (Integer, Long…), not "
                  + TypeNames.of(key));
        }
        check(arguments[1], depth + 1);
        return;
      }
      checkConcrete(raw, TypeBindings.EMPTY.bind(raw, arguments), depth);
    }

    /** A record, an enum, a supported JDK value type, or a user class (a POJO). */
    private void checkConcrete(Class<?> c, TypeBindings bindings, int depth) {
      if (c.isEnum() || JDK_VALUE_TYPES.contains(c)) {
        return;
      }
      if (c == Object.class) {
        throw new Refusal(
            "", "raw Object says nothing about what to create; declare a concrete type");
      }
      if (COLLECTION_INTERFACES.contains(c) || c == Map.class || c == Optional.class) {
        throw new Refusal("", "declare its type arguments, such as List<String>");
      }
      if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
        throw new Refusal(
            "",
            TypeNames.of(c)
                + " is "
                + (c.isInterface() ? "an interface" : "an abstract class")
                + ", and Baton never reads a class name from a payload to pick an implementation;"
                + " declare a concrete record or class (List, Set, Collection and Map are the"
                + " interfaces it supports)");
      }
      if (isJdk(c)) {
        throw new Refusal(
            "",
            c.getName()
                + " is not supported; use primitives and their boxes, String, BigDecimal,"
                + " BigInteger, UUID, URI, java.time types, enums, records, List, Set,"
                + " Collection, Map, Optional or arrays");
      }
      String key = bindings.describe(c);
      if (!checked.add(key)) {
        return; // already checked, or being checked further up (a recursive type)
      }
      if (c.isRecord()) {
        for (RecordComponent component : c.getRecordComponents()) {
          checkMember(
              "record component " + c.getSimpleName() + "." + component.getName(),
              component.getGenericType(),
              bindings,
              depth);
        }
        return;
      }
      checkPojo(c, bindings, depth);
    }

    private void checkPojo(Class<?> c, TypeBindings bindings, int depth) {
      if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic()) {
        throw new Refusal(
            "", c.getName() + " is a local or anonymous class; declare a record or a named class");
      }
      if (c.isMemberClass() && !Modifier.isStatic(c.getModifiers())) {
        throw new Refusal(
            "",
            TypeNames.of(c) + " is an inner class (it needs its outer instance); make it static");
      }
      if (Iterable.class.isAssignableFrom(c) || Map.class.isAssignableFrom(c)) {
        throw new Refusal(
            "",
            TypeNames.of(c)
                + " is a collection or map class; declare List, Set, Collection or Map instead");
      }
      if (!hasNoArgumentConstructor(c)) {
        throw new Refusal(
            "",
            "class "
                + TypeNames.of(c)
                + " has no constructor without parameters, which Baton needs to create it; add"
                + " one or make it a record");
      }
      TypeBindings current = bindings;
      for (Class<?> level = c; level != null && level != Object.class; ) {
        for (Field field : level.getDeclaredFields()) {
          int modifiers = field.getModifiers();
          if (Modifier.isStatic(modifiers)
              || Modifier.isTransient(modifiers)
              || field.isSynthetic()) {
            continue;
          }
          checkMember(
              "field " + level.getSimpleName() + "." + field.getName(),
              field.getGenericType(),
              current,
              depth);
        }
        Type parent = level.getGenericSuperclass();
        Class<?> parentClass = level.getSuperclass();
        if (parentClass != null && parentClass != Object.class && isJdk(parentClass)) {
          throw new Refusal(
              "",
              "class "
                  + TypeNames.of(c)
                  + " extends "
                  + parentClass.getName()
                  + ", which Baton does not read field by field; declare a record or a class"
                  + " that extends only your own classes");
        }
        current =
            parent instanceof ParameterizedType p && parentClass != null
                ? current.bind(parentClass, p.getActualTypeArguments())
                : TypeBindings.EMPTY;
        level = parentClass;
      }
    }

    private void checkMember(String where, Type declared, TypeBindings bindings, int depth) {
      Type type = bindings.resolve(declared);
      try {
        check(type, depth + 1);
      } catch (Refusal refusal) {
        if (!refusal.where.isEmpty()) {
          throw refusal; // the innermost place is the most useful one
        }
        throw new Refusal(where + " has type " + TypeNames.of(type) + ": ", refusal.reason);
      }
    }

    private static boolean hasNoArgumentConstructor(Class<?> c) {
      for (Constructor<?> constructor : c.getDeclaredConstructors()) {
        if (constructor.getParameterCount() == 0) {
          return true;
        }
      }
      return false;
    }

    private static boolean isJdk(Class<?> c) {
      String name = c.getName();
      return name.startsWith("java.")
          || name.startsWith("javax.")
          || name.startsWith("jdk.")
          || name.startsWith("sun.")
          || name.startsWith("com.sun.");
    }

    private static String exampleArguments(Class<?> c) {
      if (c == Map.class) {
        return "<String, Integer>";
      }
      return c.getTypeParameters().length == 1 ? "<String>" : "<…>";
    }
  }
}
