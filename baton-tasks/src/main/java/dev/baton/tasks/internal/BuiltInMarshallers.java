package dev.baton.tasks.internal;

import dev.baton.tasks.Marshaller;
import dev.baton.tasks.Marshallers;
import dev.baton.tasks.TaskConfigurationException;
import java.util.Map;

/**
 * The built-in marshallers by id, as {@link Marshallers} numbers them: 0 ({@link
 * Marshallers#DEFAULT}) and 3 ({@link Marshallers#JSON_TYPED}) typed JSON, 1 ({@link
 * Marshallers#JSON}) JSON corrected from its own types, 2 ({@link Marshallers#SMILE}) typed Smile.
 *
 * <p>Why a registry: ids travel in every envelope, so a worker must find the marshaller a caller
 * used from its id alone. The instances are shared singletons (stateless apart from their caches)
 * and thread-safe; ids from {@link Marshallers#FIRST_USER_ID} are the app's own and not here.
 */
public final class BuiltInMarshallers {

  private static final Marshaller JSON_TYPED = new TypedMarshaller(ObjectMappers.json(), "JSON");
  private static final Marshaller JSON = new JsonMarshaller();
  private static final Marshaller SMILE = new TypedMarshaller(ObjectMappers.smile(), "Smile");

  private static final Map<Integer, Marshaller> BY_ID =
      Map.of(
          Marshallers.DEFAULT, JSON_TYPED,
          Marshallers.JSON, JSON,
          Marshallers.SMILE, SMILE,
          Marshallers.JSON_TYPED, JSON_TYPED);

  private BuiltInMarshallers() {}

  /**
   * The built-in marshaller with {@code id}.
   *
   * @throws TaskConfigurationException if {@code id} is not a built-in id (0–3)
   */
  public static Marshaller byId(int id) {
    Marshaller marshaller = BY_ID.get(id);
    if (marshaller == null) {
      throw new TaskConfigurationException(
          "no built-in marshaller has id "
              + id
              + "; the built-in ids are 0 (default, typed JSON), 1 (JSON), 2 (Smile) and 3"
              + " (typed JSON), and an app's own start at "
              + Marshallers.FIRST_USER_ID);
    }
    return marshaller;
  }

  /** Whether {@code id} names a built-in marshaller. */
  public static boolean isBuiltIn(int id) {
    return BY_ID.containsKey(id);
  }

  /** Typed JSON: ids 0 and 3. */
  public static Marshaller jsonTyped() {
    return JSON_TYPED;
  }

  /** JSON read into its own types, then corrected: id 1. */
  public static Marshaller json() {
    return JSON;
  }

  /** Typed Smile: id 2. */
  public static Marshaller smile() {
    return SMILE;
  }
}
