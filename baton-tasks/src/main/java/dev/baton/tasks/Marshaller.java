package dev.baton.tasks;

import org.jspecify.annotations.Nullable;

/**
 * Turns a call's arguments and its return value into bytes and back, against the task's declared
 * {@link TaskSignature}. Used in remote mode only; local mode passes objects.
 *
 * <p>Decoding produces the exact declared types (an {@code int} parameter gets an {@link Integer},
 * a {@code List<Point>} a list of {@code Point}s) or throws {@link MarshallingException} naming the
 * parameter and the types. Implementations never instantiate a class the signature does not name
 * (no polymorphic deserialization), and are thread-safe.
 *
 * <p>Built-in marshallers have the ids in {@link Marshallers}; custom ones are added with {@link
 * TaskApp#addMarshaller} under ids from {@link Marshallers#FIRST_USER_ID}, paired with an {@link
 * Invoker}, and chosen per task with {@link TaskApp#setMarshaller}.
 */
public interface Marshaller {

  /** Encodes the arguments of a call of {@code signature}. */
  byte[] encodeArguments(TaskSignature signature, @Nullable Object[] arguments);

  /** Decodes arguments encoded by {@link #encodeArguments}, as the declared parameter types. */
  @Nullable Object[] decodeArguments(TaskSignature signature, byte[] data);

  /** Encodes a return value of {@code signature}. */
  byte[] encodeReturn(TaskSignature signature, @Nullable Object value);

  /** Decodes a return value encoded by {@link #encodeReturn}, as the declared return type. */
  @Nullable Object decodeReturn(TaskSignature signature, byte[] data);
}
