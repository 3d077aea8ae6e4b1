package dev.baton.tasks.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.baton.tasks.TaskSignature;
import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link TypedMarshaller} prepares once per signature: the argument corrector and, per
 * parameter and for the return value, a Jackson reader and writer bound to the declared type (with
 * its type arguments). Jackson readers and writers cache their (de)serializers, so preparing them
 * once keeps per-call work to the reading and writing itself.
 *
 * <p>Immutable and thread-safe (Jackson's readers and writers are).
 */
final class TypedPlan {

  final TaskSignature signature;
  final ArgumentCorrector corrector;
  private final ObjectReader[] readers;
  private final ObjectWriter[] writers;
  private final @Nullable ObjectReader returnReader;
  private final @Nullable ObjectWriter returnWriter;

  TypedPlan(TaskSignature signature, ObjectMapper mapper) {
    this.signature = signature;
    this.corrector = ArgumentCorrection.corrector(signature);
    int arity = signature.arity();
    this.readers = new ObjectReader[arity];
    this.writers = new ObjectWriter[arity];
    for (int i = 0; i < arity; i++) {
      JavaType type = javaType(mapper, signature.parameterTypes().get(i));
      readers[i] = mapper.readerFor(type);
      writers[i] = mapper.writerFor(type);
    }
    if (signature.isVoid()) {
      this.returnReader = null;
      this.returnWriter = null;
    } else {
      JavaType type = javaType(mapper, signature.returnType());
      this.returnReader = mapper.readerFor(type);
      this.returnWriter = mapper.writerFor(type);
    }
  }

  ObjectReader reader(int parameter) {
    return readers[parameter];
  }

  ObjectWriter writer(int parameter) {
    return writers[parameter];
  }

  /** The return value's reader; the signature must not be void. */
  ObjectReader returnReader() {
    ObjectReader reader = returnReader;
    if (reader == null) {
      throw new IllegalStateException("task " + signature.name() + " returns nothing");
    }
    return reader;
  }

  /** The return value's writer; the signature must not be void. */
  ObjectWriter returnWriter() {
    ObjectWriter writer = returnWriter;
    if (writer == null) {
      throw new IllegalStateException("task " + signature.name() + " returns nothing");
    }
    return writer;
  }

  private static JavaType javaType(ObjectMapper mapper, Type type) {
    return mapper.getTypeFactory().constructType(type);
  }
}
