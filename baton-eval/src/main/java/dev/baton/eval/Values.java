package dev.baton.eval;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Value;
import org.jspecify.annotations.Nullable;

/**
 * The conversion of values across the sandbox, as {@link Eval}'s class comment documents. Java
 * values enter a script as JSON text parsed inside the context (so no host object ever reaches a
 * script); script values leave as plain Java values. Stateless.
 */
final class Values {
  private Values() {}

  /**
   * Writes {@code value} as JSON text.
   *
   * @param what what the value is, for the error
   * @throws ScriptValueException if it holds a type scripts cannot see
   */
  static String toJson(@Nullable Object value, String what) {
    StringBuilder json = new StringBuilder();
    write(json, value, what, 0);
    return json.toString();
  }

  private static void write(StringBuilder json, @Nullable Object value, String what, int depth) {
    if (depth > Eval.MAX_DEPTH) {
      throw new ScriptValueException(
          what + " nests deeper than " + Eval.MAX_DEPTH + " levels (or holds a cycle)");
    }
    switch (value) {
      case null -> json.append("null");
      case Boolean bool -> json.append(bool);
      case Double number -> writeDouble(json, number, what);
      case Float number -> writeDouble(json, number.doubleValue(), what);
      case BigDecimal number -> writeDouble(json, number.doubleValue(), what);
      case Long number -> json.append(number);
      case Integer number -> json.append(number);
      case Short number -> json.append(number);
      case Byte number -> json.append(number);
      case BigInteger number -> writeDouble(json, number.doubleValue(), what);
      case Number number ->
          throw new ScriptValueException(
              what + " holds a " + number.getClass().getName() + ", which scripts cannot see");
      case CharSequence text -> writeString(json, text.toString());
      case Character c -> writeString(json, c.toString());
      case Enum<?> constant -> writeString(json, constant.name());
      case TemporalAccessor time -> writeString(json, time.toString());
      case Duration duration -> writeString(json, duration.toString());
      case Map<?, ?> map -> {
        json.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          if (!(entry.getKey() instanceof String key)) {
            throw new ScriptValueException(
                what + " holds a map with a non-string key " + entry.getKey());
          }
          if (!first) {
            json.append(',');
          }
          first = false;
          writeString(json, key);
          json.append(':');
          write(json, entry.getValue(), what, depth + 1);
        }
        json.append('}');
      }
      case Collection<?> list -> {
        json.append('[');
        boolean first = true;
        for (Object element : list) {
          if (!first) {
            json.append(',');
          }
          first = false;
          write(json, element, what, depth + 1);
        }
        json.append(']');
      }
      case Object array when array.getClass().isArray() && !(array instanceof byte[]) -> {
        json.append('[');
        for (int i = 0; i < Array.getLength(array); i++) {
          if (i > 0) {
            json.append(',');
          }
          write(json, Array.get(array, i), what, depth + 1);
        }
        json.append(']');
      }
      default ->
          throw new ScriptValueException(
              what
                  + " holds a "
                  + value.getClass().getName()
                  + ", which scripts cannot see; pass plain data (null, booleans, numbers,"
                  + " strings, lists, maps with string keys)");
    }
  }

  private static void writeDouble(StringBuilder json, double number, String what) {
    if (Double.isNaN(number) || Double.isInfinite(number)) {
      throw new ScriptValueException(what + " holds the number " + number + ", which JSON lacks");
    }
    if (number == Math.rint(number) && Math.abs(number) < 1e15) {
      json.append((long) number);
    } else {
      json.append(number);
    }
  }

  private static void writeString(StringBuilder json, String text) {
    json.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }

  /**
   * Converts a script's value to plain Java; call it while the value's context is entered (on the
   * thread running the script).
   *
   * @param what what the value is, for the error
   * @throws ScriptValueException for a function, symbol, error, date, host object or other non-data
   *     value, or one nested too deeply
   */
  static @Nullable Object fromScript(Value value, String what) {
    return fromScript(value, what, 0);
  }

  private static @Nullable Object fromScript(Value value, String what, int depth) {
    if (depth > Eval.MAX_DEPTH) {
      throw new ScriptValueException(
          what + " nests deeper than " + Eval.MAX_DEPTH + " levels (or holds a cycle)");
    }
    if (value.isNull()) {
      return null;
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isNumber()) {
      if (value.fitsInLong()) {
        return value.asLong();
      }
      if (value.fitsInDouble()) {
        return value.asDouble();
      }
      throw refused(value, what);
    }
    if (value.isString()) {
      return value.asString();
    }
    if (value.canExecute()
        || value.canInstantiate()
        || value.isHostObject()
        || value.isProxyObject()
        || value.isException()
        || value.isDate()
        || value.isTime()
        || value.isTimeZone()
        || value.isDuration()
        || value.isIterator()
        || (value.hasIterator() && !value.hasArrayElements())
        || value.isNativePointer()
        || value.isMetaObject()) {
      throw refused(value, what);
    }
    if (value.hasArrayElements()) {
      long size = value.getArraySize();
      List<@Nullable Object> list = new ArrayList<>((int) Math.min(size, 1024));
      for (long i = 0; i < size; i++) {
        list.add(fromScript(value.getArrayElement(i), what, depth + 1));
      }
      return Collections.unmodifiableList(list);
    }
    if (value.hasMembers()) {
      String kind = value.getMetaObject() == null ? "" : value.getMetaObject().getMetaSimpleName();
      if (!"Object".equals(kind)) {
        throw refused(value, what);
      }
      Map<String, @Nullable Object> map = new LinkedHashMap<>();
      for (String key : value.getMemberKeys()) {
        map.put(key, fromScript(value.getMember(key), what, depth + 1));
      }
      return Collections.unmodifiableMap(map);
    }
    throw refused(value, what);
  }

  private static ScriptValueException refused(Value value, String what) {
    Value meta = value.getMetaObject();
    String kind = meta == null ? "value" : meta.getMetaSimpleName();
    return new ScriptValueException(
        what
            + " is a "
            + kind
            + ", which cannot leave the sandbox; return plain data (null, booleans, numbers,"
            + " strings, arrays, plain objects)");
  }
}
