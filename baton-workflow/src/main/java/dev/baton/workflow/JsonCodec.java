package dev.baton.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.baton.workflow.spi.Payload;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Values to and from journal {@link Payload}s, with Jackson. Collections are recorded by their
 * interface ({@code List}, {@code Set}, {@code Map}) since the JDK's immutable ones cannot be built
 * by name. Thread-safe (the mapper is configured once).
 */
final class JsonCodec {
  private final ObjectMapper mapper = JsonMapper.builder().build();

  Payload encode(@Nullable Object value) {
    if (value == null) {
      return Payload.NULL;
    }
    try {
      return new Payload(typeName(value.getClass()), mapper.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "a " + value.getClass().getName() + " cannot be journaled as JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Reads {@code payload} back as {@code type}, or as its recorded type when {@code type} is null
   * or {@code Object}, or when {@code type} is abstract and the recorded type is a concrete subtype
   * of it (a {@code Long} asked for as a {@code Number} comes back a {@code Long}, not an {@code
   * Integer}).
   *
   * @throws IllegalArgumentException if the JSON cannot be read as that type
   */
  @Nullable Object decode(Payload payload, @Nullable Class<?> type) {
    String recorded = payload.type();
    if (recorded == null) {
      return null;
    }
    Class<?> target = type;
    if (target == null || target == Object.class) {
      target = load(recorded);
    } else if (target.isInterface() || Modifier.isAbstract(target.getModifiers())) {
      if (!target.isPrimitive() && !target.isArray()) {
        Class<?> concrete = load(recorded);
        if (target.isAssignableFrom(concrete)) {
          target = concrete;
        }
      }
    }
    try {
      return mapper.readValue(payload.json(), boxed(target));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "journaled JSON cannot be read as " + target.getName() + ": " + e.getMessage(), e);
    }
  }

  private static String typeName(Class<?> type) {
    if (List.class.isAssignableFrom(type)) {
      return List.class.getName();
    }
    if (Set.class.isAssignableFrom(type)) {
      return Set.class.getName();
    }
    if (Map.class.isAssignableFrom(type)) {
      return Map.class.getName();
    }
    return type.getName();
  }

  private static Class<?> load(String name) {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    try {
      return Class.forName(
          name, false, context != null ? context : JsonCodec.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          "the journaled type " + name + " is not on this node's class path", e);
    }
  }

  private static Class<?> boxed(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    if (type == int.class) {
      return Integer.class;
    }
    if (type == long.class) {
      return Long.class;
    }
    if (type == boolean.class) {
      return Boolean.class;
    }
    if (type == double.class) {
      return Double.class;
    }
    return type;
  }
}
