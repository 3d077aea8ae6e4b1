package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Type;
import java.util.List;

/**
 * A task's name and declared types: what marshallers encode and decode against, and what arguments
 * are corrected to. Types are {@link java.lang.reflect.Type}s, so generic ones ({@code
 * List<Point>}, through {@link TypeRef}) keep their type arguments.
 *
 * <p>A void task declares {@code void.class} as its return type.
 *
 * @param name the task name
 * @param parameterTypes declared parameter types, in order
 * @param parameterNames names for messages ({@code arg0}… when the compiler kept none)
 * @param returnType the declared return type
 */
public record TaskSignature(
    String name, List<Type> parameterTypes, List<String> parameterNames, Type returnType) {

  public TaskSignature {
    requireNonNull(name, "name");
    requireNonNull(returnType, "returnType");
    parameterTypes = List.copyOf(parameterTypes);
    parameterNames = List.copyOf(parameterNames);
    if (parameterTypes.size() != parameterNames.size()) {
      throw new IllegalArgumentException(
          "parameterTypes and parameterNames differ in length for task " + name);
    }
  }

  /** A signature whose parameters are named {@code arg0}, {@code arg1}… */
  public static TaskSignature of(String name, Type returnType, Type... parameterTypes) {
    List<String> names =
        java.util.stream.IntStream.range(0, parameterTypes.length)
            .mapToObj(i -> "arg" + i)
            .toList();
    return new TaskSignature(name, List.of(parameterTypes), names, returnType);
  }

  /** How many arguments a call passes. */
  public int arity() {
    return parameterTypes.size();
  }

  /** Whether the task returns nothing. */
  public boolean isVoid() {
    return returnType == void.class || returnType == Void.class;
  }
}
