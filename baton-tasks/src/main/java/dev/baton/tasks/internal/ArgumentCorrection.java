package dev.baton.tasks.internal;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.MarshallingException;
import dev.baton.tasks.TaskSignature;
import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;

/**
 * Argument and return-value correction for callers that hold a signature or a type rather than a
 * prepared {@link ArgumentCorrector}: a typed stub whose declared return type differs from what
 * came back, a marshaller decoding for any signature. Correctors are prepared on first use and kept
 * (see {@link SignatureCache}), so repeated calls with the same signature or type do not inspect it
 * again.
 *
 * <p>The rules are {@link ArgumentCorrector}'s. Thread-safe.
 */
public final class ArgumentCorrection {

  private static final SignatureCache<TaskSignature, ArgumentCorrector> SIGNATURES =
      new SignatureCache<>(ArgumentCorrector::of);
  private static final SignatureCache<Type, ArgumentCorrector> RETURN_TYPES =
      new SignatureCache<>(ArgumentCorrector::forReturnType);

  private ArgumentCorrection() {}

  /** The prepared corrector of {@code signature}, cached. */
  public static ArgumentCorrector corrector(TaskSignature signature) {
    return SIGNATURES.get(requireNonNull(signature, "signature"));
  }

  /**
   * {@link ArgumentCorrector#correct}: {@code arguments} itself when every argument has its
   * declared type, else a corrected copy.
   *
   * @throws MarshallingException for a wrong count or an argument that cannot be corrected; the
   *     message names the task, the parameter and both types
   */
  public static @Nullable Object[] correct(TaskSignature signature, @Nullable Object[] arguments) {
    return corrector(signature).correct(arguments);
  }

  /**
   * Returns {@code value} as {@code declared} ({@code null} for {@code void}).
   *
   * @throws MarshallingException if it cannot be corrected ({@code return value expects int, got
   *     String "x"})
   */
  public static @Nullable Object correctReturn(Type declared, @Nullable Object value) {
    return RETURN_TYPES.get(requireNonNull(declared, "declared")).correctReturn(value);
  }

  /**
   * Returns {@code value} as the return type of {@code signature}, with a message naming the task
   * when it fails.
   */
  public static @Nullable Object correctReturn(TaskSignature signature, @Nullable Object value) {
    return corrector(signature).correctReturn(value);
  }
}
