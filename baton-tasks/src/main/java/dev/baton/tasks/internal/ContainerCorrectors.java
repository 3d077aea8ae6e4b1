package dev.baton.tasks.internal;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Correctors of containers: collections, maps, {@link Optional} and arrays. Each corrects its
 * elements with the element type's corrector and returns the container itself when every element
 * already conformed (checking is a loop without allocation for lists); only when an element had to
 * change does it build a new container (an {@link ArrayList}, a {@link LinkedHashSet}, a {@link
 * LinkedHashMap}, an array of the declared component type), leaving the caller's own untouched.
 *
 * <p>A failure names the element: {@code [2]} for the third element of a list or array, {@code
 * ["k"]} for a map's value, {@code [key "k"]} for a map's key. Immutable; thread-safe.
 */
final class ContainerCorrectors {

  private ContainerCorrectors() {}

  /** The declared collection interface. */
  enum CollectionKind {
    LIST,
    SET,
    COLLECTION;

    boolean accepts(Collection<?> collection) {
      return switch (this) {
        case LIST -> collection instanceof List<?>;
        case SET -> collection instanceof Set<?>;
        case COLLECTION -> true;
      };
    }

    Collection<@Nullable Object> create(int size) {
      return this == SET ? LinkedHashSet.newLinkedHashSet(size) : new ArrayList<>(size);
    }
  }

  /** {@code List<E>}, {@code Set<E>} or {@code Collection<E>}; also accepts arrays. */
  static final class OfCollection implements ValueCorrector {
    private final CollectionKind kind;
    private final ValueCorrector element;
    private final String typeName;

    OfCollection(CollectionKind kind, ValueCorrector element, String typeName) {
      this.kind = kind;
      this.element = element;
      this.typeName = typeName;
    }

    @Override
    public @Nullable Object correct(@Nullable Object value) {
      if (value == null) {
        return null;
      }
      if (value instanceof Collection<?> collection) {
        if (kind.accepts(collection) && conforms(collection)) {
          return value;
        }
        Collection<@Nullable Object> corrected = kind.create(collection.size());
        int index = 0;
        for (Object item : collection) {
          corrected.add(correctElement(item, index++));
        }
        return corrected;
      }
      if (value.getClass().isArray()) {
        int length = Array.getLength(value);
        Collection<@Nullable Object> corrected = kind.create(length);
        for (int i = 0; i < length; i++) {
          corrected.add(correctElement(Array.get(value, i), i));
        }
        return corrected;
      }
      throw new CorrectionFailure(typeName, TypeNames.value(value), null);
    }

    private boolean conforms(Collection<?> collection) {
      if (collection instanceof List<?> list && list instanceof RandomAccess) {
        for (int i = 0, size = list.size(); i < size; i++) {
          Object item = list.get(i);
          if (!ValueCorrector.unchanged(correctElement(item, i), item)) {
            return false;
          }
        }
        return true;
      }
      int index = 0;
      for (Iterator<?> items = collection.iterator(); items.hasNext(); index++) {
        Object item = items.next();
        if (!ValueCorrector.unchanged(correctElement(item, index), item)) {
          return false;
        }
      }
      return true;
    }

    private @Nullable Object correctElement(@Nullable Object item, int index) {
      try {
        return element.correct(item);
      } catch (CorrectionFailure failure) {
        throw failure.within("[" + index + "]");
      }
    }
  }

  /** {@code Map<K, V>}. */
  static final class OfMap implements ValueCorrector {
    private final ValueCorrector key;
    private final ValueCorrector value;
    private final String typeName;

    OfMap(ValueCorrector key, ValueCorrector value, String typeName) {
      this.key = key;
      this.value = value;
      this.typeName = typeName;
    }

    @Override
    public @Nullable Object correct(@Nullable Object map) {
      if (map == null) {
        return null;
      }
      if (!(map instanceof Map<?, ?> entries)) {
        throw new CorrectionFailure(typeName, TypeNames.value(map), null);
      }
      if (conforms(entries)) {
        return map;
      }
      Map<@Nullable Object, @Nullable Object> corrected =
          LinkedHashMap.newLinkedHashMap(entries.size());
      for (Map.Entry<?, ?> entry : entries.entrySet()) {
        corrected.put(correctKey(entry.getKey()), correctValue(entry.getKey(), entry.getValue()));
      }
      return corrected;
    }

    private boolean conforms(Map<?, ?> entries) {
      for (Map.Entry<?, ?> entry : entries.entrySet()) {
        Object k = entry.getKey();
        Object v = entry.getValue();
        if (!ValueCorrector.unchanged(correctKey(k), k)
            || !ValueCorrector.unchanged(correctValue(k, v), v)) {
          return false;
        }
      }
      return true;
    }

    private @Nullable Object correctKey(@Nullable Object k) {
      try {
        return key.correct(k);
      } catch (CorrectionFailure failure) {
        throw failure.within("[key " + TypeNames.quote(String.valueOf(k)) + "]");
      }
    }

    private @Nullable Object correctValue(@Nullable Object k, @Nullable Object v) {
      try {
        return value.correct(v);
      } catch (CorrectionFailure failure) {
        throw failure.within("[" + TypeNames.quote(String.valueOf(k)) + "]");
      }
    }
  }

  /**
   * A map key: keys arrive as strings from JSON, so a numeric key type also accepts a string that
   * reads as a number, and an enum key type a constant's name.
   */
  static final class OfMapKey implements ValueCorrector {
    private final ValueCorrector key;
    private final boolean numeric;

    OfMapKey(ValueCorrector key, boolean numeric) {
      this.key = key;
      this.numeric = numeric;
    }

    @Override
    public @Nullable Object correct(@Nullable Object value) {
      if (numeric && value instanceof String text) {
        BigDecimal number;
        try {
          number = new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
          return key.correct(value); // fails naming the string
        }
        return key.correct(number);
      }
      return key.correct(value);
    }
  }

  /** {@code Optional<T>}: {@code null} is empty; a bare value is wrapped (JSON has no Optional). */
  static final class OfOptional implements ValueCorrector {
    private final ValueCorrector content;

    OfOptional(ValueCorrector content) {
      this.content = content;
    }

    @Override
    public Object correct(@Nullable Object value) {
      if (value == null) {
        return Optional.empty();
      }
      if (value instanceof Optional<?> optional) {
        if (optional.isEmpty()) {
          return optional;
        }
        Object present = optional.get();
        Object corrected = content.correct(present);
        return ValueCorrector.unchanged(corrected, present)
            ? optional
            : Optional.ofNullable(corrected);
      }
      return Optional.ofNullable(content.correct(value));
    }
  }

  /** An array: an instance of the declared array class passes; a collection is copied into one. */
  static final class OfArray implements ValueCorrector {
    private final Class<?> arrayClass;
    private final ValueCorrector component;
    private final ValueCorrector fallback;
    private final String typeName;

    /**
     * @param fallback converts what is neither the array nor a collection (a base64 string for a
     *     {@code byte[]})
     */
    OfArray(
        Class<?> arrayClass, ValueCorrector component, ValueCorrector fallback, String typeName) {
      this.arrayClass = arrayClass;
      this.component = component;
      this.fallback = fallback;
      this.typeName = typeName;
    }

    @Override
    public @Nullable Object correct(@Nullable Object value) {
      if (value == null || arrayClass.isInstance(value)) {
        return value;
      }
      Class<?> componentType = arrayClass.getComponentType();
      if (value instanceof Collection<?> collection) {
        Object array = Array.newInstance(componentType, collection.size());
        int index = 0;
        for (Object item : collection) {
          Array.set(array, index, correctComponent(item, index));
          index++;
        }
        return array;
      }
      if (value.getClass().isArray()) {
        int length = Array.getLength(value);
        Object array = Array.newInstance(componentType, length);
        for (int i = 0; i < length; i++) {
          Array.set(array, i, correctComponent(Array.get(value, i), i));
        }
        return array;
      }
      if (value instanceof String) {
        return fallback.correct(value);
      }
      throw new CorrectionFailure(typeName, TypeNames.value(value), null);
    }

    private @Nullable Object correctComponent(@Nullable Object item, int index) {
      try {
        return component.correct(item);
      } catch (CorrectionFailure failure) {
        throw failure.within("[" + index + "]");
      }
    }
  }
}
