package dev.baton.tasks.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.baton.tasks.Marshaller;
import dev.baton.tasks.MarshallingException;
import dev.baton.tasks.TaskSignature;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@link dev.baton.tasks.Marshallers#JSON} marshaller (id 1), the seed's plain JSON: the whole
 * payload is first read into JSON's own types (maps, lists, strings, numbers, booleans), then
 * corrected to the declared types by the {@link ArgumentCorrector}, the same rules local mode
 * applies to objects passed in memory.
 *
 * <p>Encoding is the typed marshaller's (the bytes are the same JSON array), so the two ids
 * interoperate and give the same results for every supported type. Floating-point numbers are read
 * as {@link java.math.BigDecimal}, so no digit is lost before correction ({@code 0.1} reaches a
 * {@code BigDecimal} parameter as {@code 0.1}, a {@code double} one as the nearest double, as when
 * read directly).
 *
 * <p>Safety and errors as {@link TypedMarshaller}: no class name is ever read from the payload, and
 * every failure is a {@link MarshallingException} naming the task and, where one is at fault, the
 * parameter and both types. Thread-safe.
 */
final class JsonMarshaller implements Marshaller {

  private static final String FORMAT = "JSON";

  private final TypedMarshaller encoder;
  private final ObjectReader untyped;

  JsonMarshaller() {
    this.encoder = new TypedMarshaller(ObjectMappers.json(), FORMAT);
    this.untyped =
        ObjectMappers.json()
            .readerFor(Object.class)
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  @Override
  public byte[] encodeArguments(TaskSignature signature, @Nullable Object[] arguments) {
    return encoder.encodeArguments(signature, arguments);
  }

  @Override
  public @Nullable Object[] decodeArguments(TaskSignature signature, byte[] data) {
    requireNonNull(signature, "signature");
    Object tree = read(signature, data, "the arguments are");
    if (!(tree instanceof List<?> list)) {
      throw new MarshallingException(
          "task "
              + signature.name()
              + ": the arguments must be a JSON array, got "
              + describe(tree));
    }
    return ArgumentCorrection.correct(signature, list.toArray());
  }

  @Override
  public byte[] encodeReturn(TaskSignature signature, @Nullable Object value) {
    return encoder.encodeReturn(signature, value);
  }

  @Override
  public @Nullable Object decodeReturn(TaskSignature signature, byte[] data) {
    requireNonNull(signature, "signature");
    if (signature.isVoid()) {
      return null; // whatever was sent, a void task returns nothing
    }
    return ArgumentCorrection.correctReturn(
        signature, read(signature, data, "the return value is"));
  }

  /** {@code what} ends with its verb: {@code the arguments are}. */
  private @Nullable Object read(TaskSignature signature, byte[] data, String what) {
    requireNonNull(data, "data");
    if (data.length == 0) {
      throw new MarshallingException("task " + signature.name() + ": " + what + " empty");
    }
    try {
      return untyped.readValue(data);
    } catch (IOException | RuntimeException e) {
      throw new MarshallingException(
          "task " + signature.name() + ": " + what + " not valid JSON: " + JacksonErrors.detail(e),
          e);
    }
  }

  private static String describe(@Nullable Object tree) {
    return switch (tree) {
      case null -> "JSON null";
      case Map<?, ?> _ -> "JSON object";
      case String text -> "JSON string " + TypeNames.quote(text);
      case Number number -> "JSON number " + number;
      case Boolean bool -> "JSON " + bool;
      default -> TypeNames.value(tree);
    };
  }
}
