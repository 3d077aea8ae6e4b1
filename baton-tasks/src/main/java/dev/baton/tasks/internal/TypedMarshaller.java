package dev.baton.tasks.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.tasks.Marshaller;
import dev.baton.tasks.MarshallingException;
import dev.baton.tasks.TaskSignature;
import java.io.IOException;
import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;

/**
 * The typed marshallers: {@link dev.baton.tasks.Marshallers#JSON_TYPED} (the default) over JSON and
 * {@link dev.baton.tasks.Marshallers#SMILE} over Jackson's binary Smile format.
 *
 * <p>Wire shape: the arguments are one array whose element {@code i} is read straight into the
 * declared type of parameter {@code i} (with its type arguments: a {@code List<Point>} gets points,
 * an {@code Optional<String>} an optional); the return value is one value read into the declared
 * return type; a void task's return value is {@code null}. Before encoding, arguments and return
 * values pass through the {@link ArgumentCorrector} of the signature, so whatever is sent decodes
 * on the other side (and a caller's mistake fails at the caller).
 *
 * <p>Safety: the shared {@link ObjectMappers} configuration never reads a class name from the
 * payload. Sizes are not bounded here: the engine refuses payloads over its limit before they reach
 * a marshaller. Every failure, including bytes that are not JSON (or Smile) at all, is a {@link
 * MarshallingException} naming the task and, where one is at fault, the parameter, its declared
 * type and what the payload held; no Jackson exception escapes.
 *
 * <p>Per-signature readers and writers are prepared on first use and cached ({@link
 * SignatureCache}). Thread-safe.
 */
final class TypedMarshaller implements Marshaller {

  private final ObjectMapper mapper;
  private final String format;
  private final SignatureCache<TaskSignature, TypedPlan> plans;

  /**
   * @param mapper one of the shared {@link ObjectMappers}
   * @param format the format's name for messages: {@code JSON} or {@code Smile}
   */
  TypedMarshaller(ObjectMapper mapper, String format) {
    this.mapper = mapper;
    this.format = format;
    this.plans = new SignatureCache<>(signature -> new TypedPlan(signature, mapper));
  }

  @Override
  public byte[] encodeArguments(TaskSignature signature, @Nullable Object[] arguments) {
    TypedPlan plan = plans.get(requireNonNull(signature, "signature"));
    @Nullable Object[] corrected = plan.corrector.correct(arguments);
    ByteArrayBuilder out = new ByteArrayBuilder();
    int index = 0;
    try (JsonGenerator generator = mapper.createGenerator(out)) {
      generator.writeStartArray(corrected, corrected.length);
      for (; index < corrected.length; index++) {
        plan.writer(index).writeValue(generator, corrected[index]);
      }
      generator.writeEndArray();
    } catch (IOException | RuntimeException e) {
      throw new MarshallingException(
          "task "
              + signature.name()
              + ": cannot encode "
              + (index < corrected.length
                  ? "parameter "
                      + signature.parameterNames().get(index)
                      + " ("
                      + TypeNames.of(signature.parameterTypes().get(index))
                      + ")"
                  : "the arguments")
              + " as "
              + format
              + ": "
              + JacksonErrors.detail(e),
          e);
    }
    return out.toByteArray();
  }

  @Override
  public @Nullable Object[] decodeArguments(TaskSignature signature, byte[] data) {
    TypedPlan plan = plans.get(requireNonNull(signature, "signature"));
    requireNonNull(data, "data");
    int arity = signature.arity();
    try (JsonParser parser = mapper.createParser(data)) {
      JsonToken token = parser.nextToken();
      if (token != JsonToken.START_ARRAY) {
        throw new MarshallingException(
            "task "
                + signature.name()
                + ": the arguments must be a "
                + format
                + " array, got "
                + TokenNames.of(format, token, parser));
      }
      @Nullable Object[] values = new Object[arity];
      int count = 0;
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        if (token == null) {
          throw new MarshallingException(
              "task " + signature.name() + ": the " + format + " argument array is not closed");
        }
        if (count < arity) {
          values[count] = readArgument(plan, parser, token, count);
        } else {
          parser.skipChildren();
        }
        count++;
      }
      if (count != arity) {
        throw new MarshallingException(TypeNames.arityMismatch(signature, count));
      }
      requireEnd(signature, parser, "arguments");
      return values;
    } catch (MarshallingException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw notDecodable(signature, "the arguments are", e);
    }
  }

  @Override
  public byte[] encodeReturn(TaskSignature signature, @Nullable Object value) {
    TypedPlan plan = plans.get(requireNonNull(signature, "signature"));
    ByteArrayBuilder out = new ByteArrayBuilder();
    try (JsonGenerator generator = mapper.createGenerator(out)) {
      if (signature.isVoid()) {
        generator.writeNull();
      } else {
        plan.returnWriter().writeValue(generator, plan.corrector.correctReturn(value));
      }
    } catch (MarshallingException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new MarshallingException(
          "task "
              + signature.name()
              + ": cannot encode the return value ("
              + TypeNames.of(signature.returnType())
              + ") as "
              + format
              + ": "
              + JacksonErrors.detail(e),
          e);
    }
    return out.toByteArray();
  }

  @Override
  public @Nullable Object decodeReturn(TaskSignature signature, byte[] data) {
    TypedPlan plan = plans.get(requireNonNull(signature, "signature"));
    requireNonNull(data, "data");
    if (signature.isVoid()) {
      return null; // whatever was sent, a void task returns nothing
    }
    try (JsonParser parser = mapper.createParser(data)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        throw new MarshallingException(
            "task "
                + signature.name()
                + ": the return value is empty; expected "
                + TypeNames.of(signature.returnType()));
      }
      Object value;
      try {
        value = plan.returnReader().readValue(parser);
      } catch (IOException | RuntimeException e) {
        throw mismatch(signature, "return value", signature.returnType(), token, parser, e);
      }
      requireEnd(signature, parser, "return value");
      return value;
    } catch (MarshallingException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw notDecodable(signature, "the return value is", e);
    }
  }

  private @Nullable Object readArgument(
      TypedPlan plan, JsonParser parser, JsonToken token, int index) {
    try {
      return plan.reader(index).readValue(parser);
    } catch (JsonParseException e) {
      throw notDecodable(plan.signature, "the arguments are", e);
    } catch (IOException | RuntimeException e) {
      TaskSignature signature = plan.signature;
      throw mismatch(
          signature,
          "parameter " + signature.parameterNames().get(index),
          signature.parameterTypes().get(index),
          token,
          parser,
          e);
    }
  }

  private MarshallingException mismatch(
      TaskSignature signature,
      String subject,
      Type declared,
      JsonToken token,
      JsonParser parser,
      Exception cause) {
    return new MarshallingException(
        "task "
            + signature.name()
            + ": "
            + subject
            + " expects "
            + TypeNames.of(declared)
            + ", got "
            + TokenNames.of(format, token, parser)
            + " ("
            + JacksonErrors.detail(cause)
            + ")",
        cause);
  }

  private void requireEnd(TaskSignature signature, JsonParser parser, String what)
      throws IOException {
    JsonToken extra = parser.nextToken();
    if (extra != null) {
      throw new MarshallingException(
          "task "
              + signature.name()
              + ": unexpected "
              + TokenNames.of(format, extra, parser)
              + " after the "
              + what);
    }
  }

  /** {@code what} ends with its verb: {@code the arguments are}. */
  private MarshallingException notDecodable(TaskSignature signature, String what, Exception e) {
    return new MarshallingException(
        "task "
            + signature.name()
            + ": "
            + what
            + " not valid "
            + format
            + ": "
            + JacksonErrors.detail(e),
        e);
  }
}
