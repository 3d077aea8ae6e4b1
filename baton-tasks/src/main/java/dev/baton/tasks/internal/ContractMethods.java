package dev.baton.tasks.internal;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.TaskConfigurationException;
import dev.baton.tasks.TaskName;
import dev.baton.tasks.TaskSignature;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * Reads a contract interface: which of its methods become tasks, under which names, with which
 * signatures. The worker registers an implementation of the interface from this, and a caller's
 * typed stub calls the same names with the same types, so both sides agree by construction.
 *
 * <p>Rules: every abstract method (declared or inherited) is a task; default and static methods are
 * not, and neither are redeclared {@code Object} methods ({@code toString}…). A task is named by
 * its {@link TaskName}, else {@code SimpleInterfaceName.method} (the simple name of the interface
 * given, also for inherited methods). Overloaded methods must all carry a {@link TaskName}, and two
 * methods may not end with the same task name. A method returning {@code CompletableFuture<X>} or
 * {@code CompletionStage<X>} is the task returning {@code X} ({@link ReturnShape#FUTURE}); other
 * future types and raw futures are refused. Every signature passes {@link TypeChecks#validate}.
 *
 * <p>Methods are returned sorted by task name, so the order is stable across JVMs (reflection's
 * order is not). Stateless; thread-safe.
 */
public final class ContractMethods {

  private ContractMethods() {}

  /**
   * The task methods of {@code contractInterface}.
   *
   * @throws TaskConfigurationException if it is not an interface, has no abstract method, has
   *     overloads without {@link TaskName} (the message names them), has two methods with one task
   *     name, declares an unsupported future type, or has a parameter or return type that cannot be
   *     carried
   */
  public static List<ContractMethod> describe(Class<?> contractInterface) {
    requireNonNull(contractInterface, "contractInterface");
    if (!contractInterface.isInterface() || contractInterface.isAnnotation()) {
      throw new TaskConfigurationException(
          contractInterface.getName()
              + " is not an interface; a contract is an interface whose methods become tasks");
    }
    List<Method> methods = taskMethods(contractInterface);
    if (methods.isEmpty()) {
      throw new TaskConfigurationException(
          "interface "
              + contractInterface.getName()
              + " has no abstract methods, so it declares no tasks");
    }
    refuseUnnamedOverloads(contractInterface, methods);
    Map<String, Method> byTaskName = new HashMap<>();
    List<ContractMethod> described = new ArrayList<>(methods.size());
    for (Method method : methods) {
      String taskName = taskName(contractInterface, method);
      Method previous = byTaskName.putIfAbsent(taskName, method);
      if (previous != null) {
        throw new TaskConfigurationException(
            "interface "
                + contractInterface.getName()
                + ": methods "
                + MethodTasks.describe(previous)
                + " and "
                + MethodTasks.describe(method)
                + " both become the task '"
                + taskName
                + "'; give them distinct @TaskName values");
      }
      described.add(describeMethod(taskName, method));
    }
    described.sort(Comparator.comparing(ContractMethod::taskName));
    return List.copyOf(described);
  }

  private static ContractMethod describeMethod(String taskName, Method method) {
    TaskSignature plain = MethodTasks.signatureOf(taskName, method);
    Class<?> rawReturn = method.getReturnType();
    ReturnShape shape;
    Type returnType;
    if (rawReturn == void.class) {
      shape = ReturnShape.VOID;
      returnType = void.class;
    } else if (rawReturn == CompletableFuture.class || rawReturn == CompletionStage.class) {
      if (!(method.getGenericReturnType() instanceof ParameterizedType future)) {
        throw new TaskConfigurationException(
            "task "
                + taskName
                + ": method "
                + MethodTasks.describe(method)
                + " returns a raw "
                + rawReturn.getSimpleName()
                + "; declare what it completes with, such as "
                + rawReturn.getSimpleName()
                + "<String> (or <Void>)");
      }
      shape = ReturnShape.FUTURE;
      returnType = future.getActualTypeArguments()[0];
    } else if (Future.class.isAssignableFrom(rawReturn)
        || CompletionStage.class.isAssignableFrom(rawReturn)) {
      throw new TaskConfigurationException(
          "task "
              + taskName
              + ": method "
              + MethodTasks.describe(method)
              + " returns "
              + TypeNames.of(method.getGenericReturnType())
              + "; a contract method returns a value, or CompletableFuture<X> or"
              + " CompletionStage<X>");
    } else {
      shape = ReturnShape.VALUE;
      returnType = method.getGenericReturnType();
    }
    TaskSignature signature =
        new TaskSignature(taskName, plain.parameterTypes(), plain.parameterNames(), returnType);
    TypeChecks.validate(signature);
    return new ContractMethod(method, taskName, signature, shape);
  }

  /** Abstract public methods, without Object's and without duplicates inherited twice. */
  private static List<Method> taskMethods(Class<?> contractInterface) {
    Map<String, Method> bySignature = new LinkedHashMap<>();
    for (Method method : contractInterface.getMethods()) {
      int modifiers = method.getModifiers();
      if (method.isDefault()
          || Modifier.isStatic(modifiers)
          || !Modifier.isAbstract(modifiers)
          || method.isSynthetic()
          || method.isBridge()
          || isObjectMethod(method)) {
        continue;
      }
      bySignature.putIfAbsent(
          method.getName() + Arrays.toString(method.getParameterTypes()), method);
    }
    return new ArrayList<>(bySignature.values());
  }

  private static void refuseUnnamedOverloads(Class<?> contractInterface, List<Method> methods) {
    Map<String, List<Method>> byName = new LinkedHashMap<>();
    for (Method method : methods) {
      byName.computeIfAbsent(method.getName(), name -> new ArrayList<>()).add(method);
    }
    for (Map.Entry<String, List<Method>> entry : byName.entrySet()) {
      List<Method> overloads = entry.getValue();
      if (overloads.size() < 2) {
        continue;
      }
      boolean allNamed = true;
      for (Method method : overloads) {
        allNamed &= method.isAnnotationPresent(TaskName.class);
      }
      if (!allNamed) {
        StringJoiner names = new StringJoiner(", ");
        for (Method method : overloads) {
          names.add(MethodTasks.describe(method));
        }
        throw new TaskConfigurationException(
            "interface "
                + contractInterface.getName()
                + " overloads '"
                + entry.getKey()
                + "' ("
                + names
                + "); annotate each overload with @TaskName(\"…\") to give it its own task name");
      }
    }
  }

  private static String taskName(Class<?> contractInterface, Method method) {
    TaskName annotation = method.getAnnotation(TaskName.class);
    if (annotation == null) {
      return contractInterface.getSimpleName() + "." + method.getName();
    }
    String name = annotation.value();
    if (name.isBlank()) {
      throw new TaskConfigurationException(
          "interface "
              + contractInterface.getName()
              + ": @TaskName on "
              + MethodTasks.describe(method)
              + " is blank; give it a name or remove it");
    }
    return name;
  }

  private static boolean isObjectMethod(Method method) {
    try {
      Object.class.getMethod(method.getName(), method.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
