package dev.baton.tasks.internal;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.MarshallingException;
import dev.baton.tasks.TaskSignature;
import java.lang.reflect.Type;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Corrects a call's arguments, and a task's return value, to the declared types of one {@link
 * TaskSignature}: prepared once per signature (at registration) and then used on every call.
 *
 * <p>Why: in local mode arguments pass as objects, so nothing else checks that an {@code int}
 * parameter got an {@code Integer}; the JSON marshaller (id 1) reads JSON's own types and relies on
 * this to turn them into the declared ones. One set of rules serves both, so a call behaves the
 * same locally and remotely.
 *
 * <p>Hot path: an argument that already is an instance of its declared (non-generic) class passes
 * after one {@link Class#isInstance} check, and when every argument passes, {@link #correct}
 * returns the very array it was given, allocating nothing. Generic parameters ({@code List<Point>})
 * are checked element by element, still without allocation when they conform. Only when a value
 * must change is the array copied (the caller's array is never written to).
 *
 * <p>Rules, per declared type: numbers convert only without loss (integral to integral in range,
 * integral to floating, floating to integral only without a fraction); {@code String} and {@code
 * boolean} accept only themselves; {@code null} is refused for primitives and becomes {@code
 * Optional.empty()} for {@code Optional}; collections, maps, optionals and arrays are corrected
 * element by element; records, POJOs, enums, {@code java.time} values and the like accept their own
 * instances or a JSON-shaped value (map, list, string, number) converted by Jackson.
 *
 * <p>Immutable and thread-safe.
 */
public final class ArgumentCorrector {

  private final TaskSignature signature;
  private final @Nullable Class<?>[] exactClasses;
  private final ValueCorrector[] correctors;
  private final @Nullable ValueCorrector returnCorrector;
  private final String messagePrefix;

  private ArgumentCorrector(TaskSignature signature, String messagePrefix) {
    this.signature = signature;
    this.messagePrefix = messagePrefix;
    int arity = signature.arity();
    this.exactClasses = new Class<?>[arity];
    this.correctors = new ValueCorrector[arity];
    for (int i = 0; i < arity; i++) {
      Type type = signature.parameterTypes().get(i);
      exactClasses[i] = exactClass(type);
      correctors[i] = ValueCorrectors.forType(type, ObjectMappers.json());
    }
    this.returnCorrector =
        signature.isVoid()
            ? null
            : ValueCorrectors.forType(signature.returnType(), ObjectMappers.json());
  }

  /**
   * Prepares the corrector of {@code signature}. Does not validate the types (that is {@link
   * TypeChecks#validate}); it never fails for a well-formed signature.
   */
  public static ArgumentCorrector of(TaskSignature signature) {
    requireNonNull(signature, "signature");
    return new ArgumentCorrector(signature, "task " + signature.name() + ": ");
  }

  /**
   * A corrector of return values of {@code returnType} alone, whose messages name no task ({@code
   * return value expects int, got String "x"}).
   */
  static ArgumentCorrector forReturnType(Type returnType) {
    return new ArgumentCorrector(
        new TaskSignature("(return type)", List.of(), List.of(), returnType), "");
  }

  /** The signature this corrector was prepared for. */
  public TaskSignature signature() {
    return signature;
  }

  /**
   * Returns the arguments as the declared parameter types: {@code arguments} itself when every
   * argument already has its type (no allocation), else a corrected copy.
   *
   * @throws MarshallingException if the count differs from the signature's arity ({@code task add:
   *     expected 2 arguments (a: int, b: int), got 3}) or an argument cannot become its declared
   *     type without loss ({@code task add: parameter b expects int, got String "x"})
   */
  public @Nullable Object[] correct(@Nullable Object[] arguments) {
    if (arguments.length != correctors.length) {
      throw new MarshallingException(TypeNames.arityMismatch(signature, arguments.length));
    }
    @Nullable Object[] corrected = arguments;
    for (int i = 0; i < correctors.length; i++) {
      Object argument = arguments[i];
      Class<?> exact = exactClasses[i];
      if (exact != null && exact.isInstance(argument)) {
        continue;
      }
      Object value = correctArgument(i, argument);
      if (!ValueCorrector.unchanged(value, argument)) {
        if (ValueCorrector.unchanged(corrected, arguments)) {
          corrected = arguments.clone();
        }
        corrected[i] = value;
      }
    }
    return corrected;
  }

  /**
   * Returns {@code value} as the declared return type ({@code null} for a void task, whatever was
   * returned).
   *
   * @throws MarshallingException if the value cannot become the declared return type without loss
   *     ({@code task add: return value expects int, got String "x"})
   */
  public @Nullable Object correctReturn(@Nullable Object value) {
    ValueCorrector corrector = returnCorrector;
    if (corrector == null) {
      return null;
    }
    try {
      return corrector.correct(value);
    } catch (CorrectionFailure failure) {
      throw new MarshallingException(
          messagePrefix
              + failure.describe(
                  "return value", TypeNames.of(signature.returnType()), TypeNames.value(value)));
    }
  }

  private @Nullable Object correctArgument(int index, @Nullable Object argument) {
    try {
      return correctors[index].correct(argument);
    } catch (CorrectionFailure failure) {
      throw new MarshallingException(
          messagePrefix
              + failure.describe(
                  "parameter " + signature.parameterNames().get(index),
                  TypeNames.of(signature.parameterTypes().get(index)),
                  TypeNames.value(argument)));
    }
  }

  /**
   * The class whose instances need no correction at all, or {@code null} when an instance check is
   * not enough (generic types, whose elements must be checked too).
   */
  private static @Nullable Class<?> exactClass(Type type) {
    if (!(type instanceof Class<?> c)) {
      return null;
    }
    return c.isPrimitive() ? box(c) : c;
  }

  /** The wrapper class of a primitive class. */
  static Class<?> box(Class<?> primitive) {
    return java.lang.invoke.MethodType.methodType(primitive).wrap().returnType();
  }
}
