package dev.baton.tasks.internal;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.TaskConfigurationException;
import dev.baton.tasks.TaskFunction;
import dev.baton.tasks.TaskSignature;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Turns a method of a user object into a task: its signature read by reflection (generic parameter
 * types, parameter names, return type) and its body a {@link MethodHandle} bound to the object.
 *
 * <p>Why method handles: after registration a call is one {@code invokeExact} through a spreader,
 * with no reflective access check per call, and the method's own exceptions reach the engine as
 * they were thrown (no {@link java.lang.reflect.InvocationTargetException} to unwrap), so a failing
 * task reports its real exception class and message.
 *
 * <p>Access: the method is opened with the caller's {@link MethodHandles.Lookup} ({@code
 * MethodHandles.lookup()} in the user's class), which reaches whatever that class can reach,
 * private members of its own module included. Without one, public methods of public classes in
 * exported packages work through {@link MethodHandles#publicLookup()}, and any method of a package
 * opened to {@code dev.baton.tasks} (every package on the class path is) through Baton's own
 * lookup. Otherwise registration fails with a {@link TaskConfigurationException} saying which of
 * the two to do.
 *
 * <p>Every definition's signature passes {@link TypeChecks#validate} before it is returned.
 * Stateless; thread-safe.
 */
public final class MethodTasks {

  private MethodTasks() {}

  /**
   * The task {@code taskName} that calls {@code method} on {@code target}.
   *
   * @param target the receiver; ignored (and may be {@code null}) for a static method
   * @param lookup a lookup with access to the method ({@code MethodHandles.lookup()} in the
   *     method's class or module), or {@code null} for accessible methods (see the class comment)
   * @throws TaskConfigurationException if the method cannot be accessed (the message says to pass a
   *     lookup or open the package), {@code target} is not an instance of the method's class, or a
   *     parameter or the return type cannot be carried (see {@link TypeChecks})
   */
  public static TaskDefinition forMethod(
      String taskName,
      @Nullable Object target,
      Method method,
      MethodHandles.@Nullable Lookup lookup) {
    requireNonNull(taskName, "taskName");
    requireNonNull(method, "method");
    TaskSignature signature = signatureOf(taskName, method);
    TypeChecks.validate(signature);
    MethodHandle handle = spread(bind(taskName, method, target, lookup(taskName, method, lookup)));
    return new TaskDefinition(signature, invoking(handle));
  }

  /**
   * The task {@code taskName} that calls the public method named {@code methodName} of {@code
   * target}'s class (declared or inherited).
   *
   * @throws TaskConfigurationException if the class has no public method of that name, or more than
   *     one (the message lists the overloads; register the {@link Method} itself then), or for the
   *     reasons of {@link #forMethod}
   */
  public static TaskDefinition forMethodNamed(
      String taskName, Object target, String methodName, MethodHandles.@Nullable Lookup lookup) {
    requireNonNull(taskName, "taskName");
    requireNonNull(target, "target");
    requireNonNull(methodName, "methodName");
    Class<?> type = target.getClass();
    List<Method> candidates = new ArrayList<>();
    for (Method method : type.getMethods()) {
      if (method.getName().equals(methodName) && !method.isBridge() && !method.isSynthetic()) {
        candidates.add(method);
      }
    }
    if (candidates.isEmpty()) {
      TreeSet<String> names = new TreeSet<>();
      for (Method method : type.getMethods()) {
        if (method.getDeclaringClass() != Object.class) {
          names.add(method.getName());
        }
      }
      throw new TaskConfigurationException(
          "task "
              + taskName
              + ": "
              + type.getName()
              + " has no public method named '"
              + methodName
              + "'"
              + (names.isEmpty() ? "" : "; its public methods are " + String.join(", ", names)));
    }
    if (candidates.size() > 1) {
      StringJoiner overloads = new StringJoiner(", ");
      for (Method method : candidates) {
        overloads.add(describe(method));
      }
      throw new TaskConfigurationException(
          "task "
              + taskName
              + ": "
              + type.getName()
              + " has "
              + candidates.size()
              + " public methods named '"
              + methodName
              + "' ("
              + overloads
              + "); give them distinct names or register the Method itself");
    }
    return forMethod(taskName, target, candidates.get(0), lookup);
  }

  /**
   * The task of one contract method, implemented by {@code implementation}: calls the interface
   * method on it (so the implementation's class itself need not be accessible, only the interface).
   * For {@link ReturnShape#FUTURE} the body waits for the returned stage and returns its value, or
   * throws the exception it completed with (unwrapped); interrupting the waiting thread cancels the
   * stage.
   *
   * @throws TaskConfigurationException if the interface cannot be accessed or {@code
   *     implementation} does not implement it
   */
  public static TaskDefinition implementing(
      ContractMethod contractMethod, Object implementation, MethodHandles.@Nullable Lookup lookup) {
    requireNonNull(contractMethod, "contractMethod");
    requireNonNull(implementation, "implementation");
    String taskName = contractMethod.taskName();
    Method method = contractMethod.method();
    MethodHandle handle =
        spread(bind(taskName, method, implementation, lookup(taskName, method, lookup)));
    TaskFunction function = invoking(handle);
    if (contractMethod.shape() == ReturnShape.FUTURE) {
      function = awaiting(function, describe(method));
    }
    return new TaskDefinition(contractMethod.signature(), function);
  }

  /** The signature of {@code method} under {@code taskName}, unchecked. */
  public static TaskSignature signatureOf(String taskName, Method method) {
    Parameter[] parameters = method.getParameters();
    List<String> names = new ArrayList<>(parameters.length);
    for (Parameter parameter : parameters) {
      names.add(parameter.getName());
    }
    return new TaskSignature(
        taskName,
        Arrays.asList(method.getGenericParameterTypes()),
        names,
        method.getGenericReturnType());
  }

  /** {@code name(int, List<Point>)}, for messages. */
  static String describe(Method method) {
    StringJoiner parameters = new StringJoiner(", ", method.getName() + "(", ")");
    for (Type type : method.getGenericParameterTypes()) {
      parameters.add(TypeNames.of(type));
    }
    return parameters.toString();
  }

  private static MethodHandle lookup(
      String taskName, Method method, MethodHandles.@Nullable Lookup lookup) {
    Class<?> declaring = method.getDeclaringClass();
    MethodHandles.Lookup first = lookup != null ? lookup : MethodHandles.publicLookup();
    try {
      return first.unreflect(method);
    } catch (IllegalAccessException denied) {
      try {
        MethodHandles.Lookup base;
        if (lookup != null) {
          base = lookup;
        } else {
          // Baton's own lookup reaches packages opened to dev.baton.tasks once it reads their
          // module; every package of the unnamed module (the class path) is open.
          MethodTasks.class.getModule().addReads(declaring.getModule());
          base = MethodHandles.lookup();
        }
        return MethodHandles.privateLookupIn(declaring, base).unreflect(method);
      } catch (IllegalAccessException | RuntimeException also) {
        denied.addSuppressed(also);
        throw new TaskConfigurationException(
            "task "
                + taskName
                + ": cannot access "
                + declaring.getName()
                + "."
                + describe(method)
                + (lookup == null
                    ? "; pass MethodHandles.lookup() from a class of "
                        + moduleName(declaring)
                        + " when registering, or open package "
                        + declaring.getPackageName()
                        + " to dev.baton.tasks"
                    : " with the lookup given ("
                        + lookup
                        + "); pass MethodHandles.lookup() from a class that can access it")
                + " ("
                + denied.getMessage()
                + ")",
            denied);
      }
    }
  }

  private static MethodHandle bind(
      String taskName, Method method, @Nullable Object target, MethodHandle handle) {
    MethodHandle fixed = handle.asFixedArity();
    if (Modifier.isStatic(method.getModifiers())) {
      return fixed;
    }
    Class<?> declaring = method.getDeclaringClass();
    if (!declaring.isInstance(target)) {
      throw new TaskConfigurationException(
          "task "
              + taskName
              + ": the method "
              + declaring.getName()
              + "."
              + describe(method)
              + " needs an instance of "
              + declaring.getName()
              + ", got "
              + (target == null ? "null" : "an instance of " + target.getClass().getName()));
    }
    return fixed.bindTo(target);
  }

  private static MethodHandle spread(MethodHandle handle) {
    MethodType type = handle.type();
    return handle
        .asSpreader(Object[].class, type.parameterCount())
        .asType(MethodType.methodType(Object.class, Object[].class));
  }

  private static TaskFunction invoking(MethodHandle handle) {
    return arguments -> {
      try {
        return (Object) handle.invokeExact(arguments);
      } catch (Exception | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new UndeclaredThrowableException(t);
      }
    };
  }

  private static TaskFunction awaiting(TaskFunction function, String methodName) {
    return arguments -> {
      Object stage = function.invoke(arguments);
      if (!(stage instanceof CompletionStage<?> completion)) {
        throw new IllegalStateException(
            methodName + " returned " + (stage == null ? "null" : stage) + " instead of a future");
      }
      CompletableFuture<?> future = completion.toCompletableFuture();
      try {
        return future.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception exception) {
          throw exception;
        }
        if (cause instanceof Error error) {
          throw error;
        }
        throw e;
      } catch (InterruptedException e) {
        future.cancel(true);
        Thread.currentThread().interrupt();
        throw e;
      }
    };
  }

  private static String moduleName(Class<?> type) {
    Module module = type.getModule();
    return module.isNamed() ? "module " + module.getName() : "its package";
  }
}
