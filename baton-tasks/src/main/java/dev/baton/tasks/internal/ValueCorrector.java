package dev.baton.tasks.internal;

import org.jspecify.annotations.Nullable;

/**
 * Corrects one value to one declared type: the unit {@link ArgumentCorrector} is built from, one
 * per parameter, nested for containers ({@code List<Point>} is a list corrector around a record
 * corrector). Built by {@link ValueCorrectors}; immutable and thread-safe.
 */
interface ValueCorrector {

  /**
   * Returns {@code value} itself when it already has the declared type (the common case, and the
   * cheap one: no allocation), else a corrected copy.
   *
   * @throws CorrectionFailure if the value cannot become the declared type without loss
   */
  @Nullable Object correct(@Nullable Object value);

  /**
   * Whether a corrector returned the value it was given: identity, not equality, is the contract
   * (an equal but new object is still a change, and {@code 1} and {@code 1L} are not equal anyway).
   */
  @SuppressWarnings("ReferenceEquality") // identity is the point: "returned as it was given"
  static boolean unchanged(@Nullable Object corrected, @Nullable Object original) {
    return corrected == original;
  }
}
