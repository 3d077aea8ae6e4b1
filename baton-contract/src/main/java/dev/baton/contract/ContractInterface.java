package dev.baton.contract;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.ContractTask;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskConfigurationException;
import dev.baton.tasks.TaskName;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One bound interface, read by the typed stubs' rules ({@link dev.baton.tasks.TaskApp#registerAll}
 * and {@link dev.baton.tasks.TaskApp#stub}): every abstract method is a task named by its {@link
 * TaskName}, else {@code SimpleInterfaceName.method}; overloads must all carry a {@link TaskName};
 * two methods may not share a task name; a method returning {@code CompletableFuture<X>} or {@code
 * CompletionStage<X>} yields {@code X}. A process calls a method by its task name, or by its Java
 * name when that name is not overloaded.
 *
 * <p>Immutable after construction, so thread-safe.
 */
final class ContractInterface {

  /**
   * One callable method.
   *
   * @param method the interface method
   * @param taskName the task it stands for
   * @param shape how it returns
   * @param valueType what the call yields (generic; the future's argument for {@link
   *     ContractTask.Shape#FUTURE}, {@code void.class} for {@link ContractTask.Shape#VOID})
   */
  record Target(Method method, String taskName, ContractTask.Shape shape, Type valueType) {
    Target {
      requireNonNull(method, "method");
      requireNonNull(taskName, "taskName");
      requireNonNull(shape, "shape");
      requireNonNull(valueType, "valueType");
    }
  }

  private final Class<?> contract;
  private final Map<String, Target> byName;

  private ContractInterface(Class<?> contract, Map<String, Target> byName) {
    this.contract = contract;
    this.byName = byName;
  }

  /**
   * Reads {@code contract} by the stubs' rules.
   *
   * @throws IllegalArgumentException if it is not an interface, declares no abstract method, has
   *     overloads without {@link TaskName}, two methods with one task name, or a raw or unsupported
   *     future return type; the message names the methods
   */
  static ContractInterface describe(Class<?> contract) {
    requireNonNull(contract, "contract");
    List<ContractTask> tasks;
    try {
      // The stubs' own reading of the interface: one naming rule, not a second copy of it.
      tasks = TaskApp.contractTasks(contract);
    } catch (TaskConfigurationException invalid) {
      throw new IllegalArgumentException(invalid.getMessage(), invalid);
    }
    Map<String, Integer> javaNameCounts = new HashMap<>();
    for (ContractTask task : tasks) {
      javaNameCounts.merge(task.method().getName(), 1, Integer::sum);
    }
    Map<String, Target> names = new HashMap<>();
    for (ContractTask task : tasks) {
      Target target = new Target(task.method(), task.taskName(), task.shape(), task.valueType());
      names.put(task.taskName(), target);
    }
    // A method that is not overloaded may also be called by its Java name.
    for (ContractTask task : tasks) {
      String javaName = task.method().getName();
      if (javaNameCounts.getOrDefault(javaName, 0) == 1) {
        names.putIfAbsent(javaName, names.get(task.taskName()));
      }
    }
    return new ContractInterface(contract, Map.copyOf(names));
  }

  /**
   * Checks that this module can call every method by reflection, as a local binding does: each
   * method's declaring interface is public and in a package its module exports (or opens) to this
   * module. Otherwise every call would fail with {@link IllegalAccessException}.
   *
   * @throws IllegalArgumentException naming the interface and what to change
   */
  ContractInterface checkCallableLocally() {
    Module self = ContractInterface.class.getModule();
    for (Target target : byName.values()) {
      Class<?> declaring = target.method().getDeclaringClass();
      boolean reachable =
          Modifier.isPublic(declaring.getModifiers())
              && (declaring.getModule().isExported(declaring.getPackageName(), self)
                  || declaring.getModule().isOpen(declaring.getPackageName(), self));
      if (!reachable) {
        throw new IllegalArgumentException(
            "interface "
                + declaring.getName()
                + " (of "
                + contract.getName()
                + ") cannot be called by the contract module: a local binding calls its methods by"
                + " reflection, so the interface must be public and its package exported or opened"
                + " to "
                + self.getName());
      }
    }
    return this;
  }

  /** The interface. */
  Class<?> contract() {
    return contract;
  }

  /** Every name a method can be called by, sorted. */
  Set<String> names() {
    return new TreeSet<>(byName.keySet());
  }

  /**
   * The method called {@code name} (its task name, or its Java name if not overloaded).
   *
   * @throws MethodNotFoundException naming the interface and the candidates, if there is none
   */
  Target resolve(String name) {
    Target target = byName.get(name);
    if (target != null) {
      return target;
    }
    boolean overloaded = false;
    for (Target each : byName.values()) {
      overloaded |= each.method().getName().equals(name);
    }
    throw new MethodNotFoundException(
        contract.getName(),
        name,
        names(),
        overloaded
            ? "'" + name + "' is overloaded, so each overload is called by its @TaskName"
            : "no method of that name or task name");
  }

  /**
   * Checks {@code arguments} against {@code target}'s parameters: the count, that each non-null
   * argument is an instance of its parameter's class (a boxed primitive may widen, as reflection
   * widens it), and that no primitive parameter gets null.
   *
   * @throws ContractArgumentException naming the method, the position and the expected type
   */
  static void checkArguments(Target target, List<@Nullable Object> arguments) {
    Method method = target.method();
    Class<?>[] parameters = method.getParameterTypes();
    if (parameters.length != arguments.size()) {
      throw new ContractArgumentException(
          describe(target)
              + " takes "
              + parameters.length
              + " argument(s), got "
              + arguments.size());
    }
    for (int i = 0; i < parameters.length; i++) {
      Object argument = arguments.get(i);
      Class<?> parameter = parameters[i];
      if (argument == null) {
        if (parameter.isPrimitive()) {
          throw new ContractArgumentException(
              describe(target)
                  + ": argument "
                  + i
                  + " is null, but its parameter is a "
                  + parameter.getName());
        }
        continue;
      }
      if (!fits(parameter, argument.getClass())) {
        throw new ContractArgumentException(
            describe(target)
                + ": argument "
                + i
                + " is a "
                + argument.getClass().getName()
                + ", but its parameter is a "
                + parameter.getTypeName());
      }
    }
  }

  /**
   * Checks that a caller expecting {@code expected} can hold what {@code target} yields.
   *
   * @throws ContractArgumentException if it cannot
   */
  static void checkReturn(Target target, Class<?> expected) {
    Class<?> wanted = box(expected);
    Class<?> yielded =
        target.shape() == ContractTask.Shape.VOID ? Void.class : box(raw(target.valueType()));
    if (!wanted.isAssignableFrom(yielded)) {
      throw new ContractArgumentException(
          describe(target)
              + " yields "
              + target.valueType().getTypeName()
              + ", which the call's expected type "
              + expected.getName()
              + " cannot hold");
    }
  }

  /** {@code Interface.method(Type, Type)} as the task {@code name}, for messages. */
  static String describe(Target target) {
    Method method = target.method();
    StringBuilder text =
        new StringBuilder(method.getDeclaringClass().getSimpleName())
            .append('.')
            .append(method.getName())
            .append('(');
    Class<?>[] parameters = method.getParameterTypes();
    for (int i = 0; i < parameters.length; i++) {
      text.append(i == 0 ? "" : ", ").append(parameters[i].getSimpleName());
    }
    return text.append(')').toString();
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
      return c;
    }
    return Object.class;
  }

  /** Whether a value of class {@code actual} can be passed for a parameter of {@code parameter}. */
  private static boolean fits(Class<?> parameter, Class<?> actual) {
    if (!parameter.isPrimitive()) {
      return parameter.isAssignableFrom(actual);
    }
    Class<?> boxed = box(parameter);
    if (boxed.equals(actual)) {
      return true;
    }
    int from = WIDENING.indexOf(actual);
    int to = WIDENING.indexOf(boxed);
    if (actual.equals(Character.class)) {
      // char widens to int, long, float, double
      return to >= WIDENING.indexOf(Integer.class);
    }
    return from >= 0 && to >= 0 && from < to && !boxed.equals(Character.class);
  }

  /** The primitive widening order of reflection (JLS 5.1.2), boxed; char is handled apart. */
  private static final List<Class<?>> WIDENING =
      List.of(Byte.class, Short.class, Integer.class, Long.class, Float.class, Double.class);

  private static Class<?> box(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    return switch (type.getName()) {
      case "int" -> Integer.class;
      case "long" -> Long.class;
      case "boolean" -> Boolean.class;
      case "double" -> Double.class;
      case "float" -> Float.class;
      case "short" -> Short.class;
      case "byte" -> Byte.class;
      case "char" -> Character.class;
      default -> Void.class;
    };
  }
}
