package dev.baton.tasks.internal;

import dev.baton.tasks.TaskFunction;
import dev.baton.tasks.TaskSignature;
import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;

/**
 * Adapts the typed task forms users write ({@link TaskFunction.Of0} … {@link TaskFunction.Of4}) and
 * the types they declare to a {@link TaskDefinition}: a checked signature (parameters named {@code
 * arg0}, {@code arg1}…) and a plain {@link TaskFunction}.
 *
 * <p>Why the casts are safe and cheap: the engine corrects every argument to its declared type
 * before calling the function, so the adapter only casts ({@code (A) arguments[0]}), which erases
 * to nothing; a call allocates nothing beyond what the user's lambda does. The {@code Class}
 * overloads let Java infer the lambda's parameter types ({@code int.class} is a {@code
 * Class<Integer>}); the {@code Type} overloads take generic types ({@link dev.baton.tasks.TypeRef})
 * and leave the lambda's types to the caller.
 *
 * <p>Every signature passes {@link TypeChecks#validate}, which throws {@link
 * dev.baton.tasks.TaskConfigurationException} naming the parameter whose type cannot be carried.
 * Stateless; thread-safe.
 */
public final class TypedFunctions {

  private TypedFunctions() {}

  /** A task without parameters. */
  public static <R extends @Nullable Object> TaskDefinition of0(
      String name, Class<R> returnType, TaskFunction.Of0<R> function) {
    return of0(name, (Type) returnType, function);
  }

  /** A task without parameters, of a generic return type. */
  public static <R extends @Nullable Object> TaskDefinition of0(
      String name, Type returnType, TaskFunction.Of0<R> function) {
    return checked(TaskSignature.of(name, returnType), arguments -> function.apply());
  }

  /** A task of one parameter. */
  public static <A extends @Nullable Object, R extends @Nullable Object> TaskDefinition of1(
      String name, Class<A> a, Class<R> returnType, TaskFunction.Of1<A, R> function) {
    return of1(name, (Type) a, (Type) returnType, function);
  }

  /** A task of one parameter, of generic types. */
  @SuppressWarnings("unchecked") // arguments are corrected to the declared types before the call
  public static <A extends @Nullable Object, R extends @Nullable Object> TaskDefinition of1(
      String name, Type a, Type returnType, TaskFunction.Of1<A, R> function) {
    return checked(
        TaskSignature.of(name, returnType, a), arguments -> function.apply((A) arguments[0]));
  }

  /** A task of two parameters. */
  public static <A extends @Nullable Object, B extends @Nullable Object, R extends @Nullable Object>
      TaskDefinition of2(
          String name,
          Class<A> a,
          Class<B> b,
          Class<R> returnType,
          TaskFunction.Of2<A, B, R> function) {
    return of2(name, (Type) a, (Type) b, (Type) returnType, function);
  }

  /** A task of two parameters, of generic types. */
  @SuppressWarnings("unchecked") // arguments are corrected to the declared types before the call
  public static <A extends @Nullable Object, B extends @Nullable Object, R extends @Nullable Object>
      TaskDefinition of2(
          String name, Type a, Type b, Type returnType, TaskFunction.Of2<A, B, R> function) {
    return checked(
        TaskSignature.of(name, returnType, a, b),
        arguments -> function.apply((A) arguments[0], (B) arguments[1]));
  }

  /** A task of three parameters. */
  public static <
          A extends @Nullable Object,
          B extends @Nullable Object,
          C extends @Nullable Object,
          R extends @Nullable Object>
      TaskDefinition of3(
          String name,
          Class<A> a,
          Class<B> b,
          Class<C> c,
          Class<R> returnType,
          TaskFunction.Of3<A, B, C, R> function) {
    return of3(name, (Type) a, (Type) b, (Type) c, (Type) returnType, function);
  }

  /** A task of three parameters, of generic types. */
  @SuppressWarnings("unchecked") // arguments are corrected to the declared types before the call
  public static <
          A extends @Nullable Object,
          B extends @Nullable Object,
          C extends @Nullable Object,
          R extends @Nullable Object>
      TaskDefinition of3(
          String name,
          Type a,
          Type b,
          Type c,
          Type returnType,
          TaskFunction.Of3<A, B, C, R> function) {
    return checked(
        TaskSignature.of(name, returnType, a, b, c),
        arguments -> function.apply((A) arguments[0], (B) arguments[1], (C) arguments[2]));
  }

  /** A task of four parameters. */
  public static <
          A extends @Nullable Object,
          B extends @Nullable Object,
          C extends @Nullable Object,
          D extends @Nullable Object,
          R extends @Nullable Object>
      TaskDefinition of4(
          String name,
          Class<A> a,
          Class<B> b,
          Class<C> c,
          Class<D> d,
          Class<R> returnType,
          TaskFunction.Of4<A, B, C, D, R> function) {
    return of4(name, (Type) a, (Type) b, (Type) c, (Type) d, (Type) returnType, function);
  }

  /** A task of four parameters, of generic types. */
  @SuppressWarnings("unchecked") // arguments are corrected to the declared types before the call
  public static <
          A extends @Nullable Object,
          B extends @Nullable Object,
          C extends @Nullable Object,
          D extends @Nullable Object,
          R extends @Nullable Object>
      TaskDefinition of4(
          String name,
          Type a,
          Type b,
          Type c,
          Type d,
          Type returnType,
          TaskFunction.Of4<A, B, C, D, R> function) {
    return checked(
        TaskSignature.of(name, returnType, a, b, c, d),
        arguments ->
            function.apply((A) arguments[0], (B) arguments[1], (C) arguments[2], (D) arguments[3]));
  }

  private static TaskDefinition checked(TaskSignature signature, TaskFunction function) {
    TypeChecks.validate(signature);
    return new TaskDefinition(signature, function);
  }
}
