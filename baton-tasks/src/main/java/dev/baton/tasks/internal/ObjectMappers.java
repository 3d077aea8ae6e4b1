package dev.baton.tasks.internal;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one Jackson configuration every built-in marshaller and the argument correction use, in JSON
 * and in Smile.
 *
 * <p>Why one place: whatever one marshaller accepts, the others and local-mode correction must
 * accept too, and the security settings must not drift. The settings:
 *
 * <ul>
 *   <li><b>No polymorphic deserialization, ever.</b> Default typing stays off, and the polymorphic
 *       type validator denies every class name, so even a user type annotated with
 *       {@code @JsonTypeInfo(use = CLASS)} cannot make a payload instantiate a class the signature
 *       does not name. A payload's {@code "@class"} property is an unknown property and is ignored.
 *   <li>Values are read by their fields (any visibility) and records through their canonical
 *       constructor; getters and setters are not used, so reading or writing a value runs no user
 *       code besides constructors.
 *   <li>{@link java.util.Optional} (Jdk8Module) and {@code java.time} (JavaTimeModule) types; dates
 *       and durations as ISO-8601 strings, offsets kept as sent.
 *   <li>Enums by name, never by ordinal; {@code byte[]} as base64 in JSON, native binary in Smile.
 *   <li>Strict scalars: no float for an integer, no string for a number or boolean, no number or
 *       boolean for a string, no {@code null} for a primitive. Unknown properties are ignored, so a
 *       newer caller may add fields.
 * </ul>
 *
 * <p>The mappers are built once and shared; Jackson mappers are thread-safe once configured, and
 * nothing here reconfigures them after construction. Callers must not reconfigure them either.
 */
public final class ObjectMappers {

  private static final JsonMapper JSON = configure(JsonMapper.builder());
  private static final SmileMapper SMILE = configure(SmileMapper.builder());

  private ObjectMappers() {}

  /** The shared JSON mapper. Do not reconfigure it. */
  public static JsonMapper json() {
    return JSON;
  }

  /** The shared Smile mapper, configured as {@link #json()}. Do not reconfigure it. */
  public static SmileMapper smile() {
    return SMILE;
  }

  private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> M configure(B builder) {
    return builder
        .addModule(new Jdk8Module())
        .addModule(new JavaTimeModule())
        .deactivateDefaultTyping()
        .polymorphicTypeValidator(BasicPolymorphicTypeValidator.builder().build())
        .visibility(PropertyAccessor.ALL, Visibility.NONE)
        .visibility(PropertyAccessor.FIELD, Visibility.ANY)
        .visibility(PropertyAccessor.CREATOR, Visibility.ANY)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .enable(SerializationFeature.WRITE_DATES_WITH_ZONE_ID)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .withCoercionConfig(
            LogicalType.Textual,
            config ->
                config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .build();
  }
}
