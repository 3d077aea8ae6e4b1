package dev.baton.tasks;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * Captures a generic type for registration: {@code new TypeRef<List<Point>>() {}.type()}.
 *
 * @param <T> the captured type
 */
public abstract class TypeRef<T> {

  private final Type type;

  protected TypeRef() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType parameterized)) {
      throw new IllegalStateException(
          "TypeRef must be created as an anonymous subclass with a type argument:"
              + " new TypeRef<List<Point>>() {}");
    }
    this.type = parameterized.getActualTypeArguments()[0];
  }

  /** The captured type. */
  public final Type type() {
    return type;
  }

  @Override
  public String toString() {
    return type.getTypeName();
  }
}
