package dev.baton.tasks.internal;

import dev.baton.tasks.TaskSignature;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * Short, readable names of types and values for error messages: {@code int}, {@code List<Point>},
 * {@code String "x"}.
 *
 * <p>Messages name types by their simple names, as the user wrote them in the signature, and show
 * scalar values (strings quoted and cut at {@value #MAX_VALUE_CHARS} characters) so that a caller
 * sees what was wrong without a debugger. Stateless; thread-safe.
 */
final class TypeNames {

  /** Longest rendering of a value in a message. */
  static final int MAX_VALUE_CHARS = 60;

  private TypeNames() {}

  /** {@code int}, {@code String}, {@code List<Point>}, {@code Map<String, List<Integer>>}. */
  static String of(Type type) {
    return switch (type) {
      case Class<?> c -> simpleName(c);
      case ParameterizedType p -> {
        StringJoiner arguments = new StringJoiner(", ", of(p.getRawType()) + "<", ">");
        for (Type argument : p.getActualTypeArguments()) {
          arguments.add(of(argument));
        }
        yield arguments.toString();
      }
      case GenericArrayType g -> of(g.getGenericComponentType()) + "[]";
      case WildcardType w -> wildcard(w);
      case TypeVariable<?> v -> v.getName();
      default -> type.getTypeName();
    };
  }

  /** The parameter list of a signature: {@code a: int, b: int}. */
  static String parameters(TaskSignature signature) {
    StringJoiner joiner = new StringJoiner(", ");
    for (int i = 0; i < signature.arity(); i++) {
      joiner.add(signature.parameterNames().get(i) + ": " + of(signature.parameterTypes().get(i)));
    }
    return joiner.toString();
  }

  /** The message for a wrong argument count: {@code task add: expected 2 arguments (a: int...)}. */
  static String arityMismatch(TaskSignature signature, int found) {
    int expected = signature.arity();
    return "task "
        + signature.name()
        + ": expected "
        + expected
        + (expected == 1 ? " argument" : " arguments")
        + " ("
        + parameters(signature)
        + "), got "
        + found;
  }

  /**
   * A value as a message shows it: {@code null}, {@code String "x"}, {@code Long 3}, {@code Map}.
   */
  static String value(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    String type = simpleName(value.getClass());
    return switch (value) {
      case CharSequence text -> type + " " + quote(text.toString());
      case Character c -> type + " " + quote(c.toString());
      case Number n -> type + " " + cut(n.toString());
      case Boolean b -> type + " " + b;
      case Enum<?> e -> e.getDeclaringClass().getSimpleName() + "." + e.name();
      case Map<?, ?> _ -> "Map";
      case List<?> _ -> "List";
      case Set<?> _ -> "Set";
      default -> type;
    };
  }

  /** A string in double quotes, cut to {@value #MAX_VALUE_CHARS} characters. */
  static String quote(String text) {
    return "\"" + cut(text) + "\"";
  }

  static String cut(String text) {
    return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS) + "…";
  }

  private static String simpleName(Class<?> c) {
    String simple = c.getSimpleName();
    return simple.isEmpty() ? c.getName() : simple;
  }

  private static String wildcard(WildcardType w) {
    Type[] lower = w.getLowerBounds();
    if (lower.length > 0) {
      return "? super " + of(lower[0]);
    }
    Type[] upper = w.getUpperBounds();
    if (upper.length == 0 || Object.class.equals(upper[0])) {
      return "?";
    }
    return "? extends " + of(upper[0]);
  }
}
