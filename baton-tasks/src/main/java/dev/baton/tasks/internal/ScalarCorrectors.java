package dev.baton.tasks.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Correctors of single values that are not numbers or containers: strict ones for {@code String},
 * {@code boolean} and {@code char} (which accept only their own type, so a number never silently
 * becomes text), and one for everything Jackson reads from a JSON shape (records, POJOs, enums,
 * {@code java.time}, {@code UUID}, {@code byte[]}).
 *
 * <p>Immutable; thread-safe.
 */
final class ScalarCorrectors {

  private ScalarCorrectors() {}

  /** Accepts only instances of one class (and {@code null} unless the type is primitive). */
  static final class Strict implements ValueCorrector {
    private final Class<?> boxed;
    private final boolean primitive;
    private final String typeName;

    Strict(Class<?> boxed, boolean primitive, String typeName) {
      this.boxed = boxed;
      this.primitive = primitive;
      this.typeName = typeName;
    }

    @Override
    public @Nullable Object correct(@Nullable Object value) {
      if (boxed.isInstance(value) || (value == null && !primitive)) {
        return value;
      }
      throw new CorrectionFailure(typeName, TypeNames.value(value), null);
    }
  }

  /** {@code char}/{@code Character}: a Character, or a String of exactly one character. */
  static final class OfCharacter implements ValueCorrector {
    private final boolean primitive;
    private final String typeName;

    OfCharacter(boolean primitive, String typeName) {
      this.primitive = primitive;
      this.typeName = typeName;
    }

    @Override
    public @Nullable Object correct(@Nullable Object value) {
      if (value instanceof Character || (value == null && !primitive)) {
        return value;
      }
      if (value instanceof String text && text.length() == 1) {
        return text.charAt(0);
      }
      throw new CorrectionFailure(typeName, TypeNames.value(value), null);
    }
  }

  /**
   * An instance of the declared class passes as it is; a JSON-shaped value (a map, a collection, a
   * string, a number, a boolean, an array, a Jackson tree) is converted by Jackson with the shared
   * configuration, exactly as if it had been read from JSON: a map becomes a record or a POJO, a
   * string an enum, an {@code Instant} or a {@code byte[]} (base64). Any other object is refused,
   * so an unrelated class is never reinterpreted field by field.
   */
  static final class Converting implements ValueCorrector {
    private final Class<?> raw;
    private final JavaType javaType;
    private final ObjectMapper mapper;
    private final String typeName;

    Converting(Class<?> raw, JavaType javaType, ObjectMapper mapper, String typeName) {
      this.raw = raw;
      this.javaType = javaType;
      this.mapper = mapper;
      this.typeName = typeName;
    }

    @Override
    public @Nullable Object correct(@Nullable Object value) {
      if (value == null || raw.isInstance(value)) {
        return value;
      }
      if (!isJsonShaped(value)) {
        throw new CorrectionFailure(typeName, TypeNames.value(value), null);
      }
      try {
        return mapper.convertValue(value, javaType);
      } catch (RuntimeException e) {
        // convertValue wraps Jackson's own exception in an IllegalArgumentException
        Throwable cause =
            e instanceof IllegalArgumentException && e.getCause() != null ? e.getCause() : e;
        throw new CorrectionFailure(typeName, TypeNames.value(value), JacksonErrors.detail(cause));
      }
    }

    private static boolean isJsonShaped(Object value) {
      return value instanceof Map<?, ?>
          || value instanceof Collection<?>
          || value instanceof CharSequence
          || value instanceof Number
          || value instanceof Boolean
          || value instanceof Character
          || value instanceof JsonNode
          || value.getClass().isArray();
    }
  }
}
