package dev.baton.tasks.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.jspecify.annotations.Nullable;

/**
 * Lossless numeric conversion to one declared number type: an integral value to any integral type
 * whose range holds it, any integral value to a floating type, a floating value to an integral type
 * only when it has no fraction, anything finite to {@link BigDecimal}. A value that would lose its
 * magnitude or its fraction is refused, never rounded.
 *
 * <p>Floating to {@code float} is allowed although it may round (JSON readers do the same, and a
 * {@code float} parameter asks for that precision). The strings {@code "NaN"}, {@code "Infinity"}
 * and {@code "-Infinity"} become the floating values they name, because that is how Jackson writes
 * them. Immutable; thread-safe.
 */
final class NumberCorrector implements ValueCorrector {

  /** The declared number types. */
  enum Kind {
    BYTE(Byte.class, Byte.MIN_VALUE, Byte.MAX_VALUE),
    SHORT(Short.class, Short.MIN_VALUE, Short.MAX_VALUE),
    INT(Integer.class, Integer.MIN_VALUE, Integer.MAX_VALUE),
    LONG(Long.class, Long.MIN_VALUE, Long.MAX_VALUE),
    FLOAT(Float.class, 0, 0),
    DOUBLE(Double.class, 0, 0),
    BIG_INTEGER(BigInteger.class, 0, 0),
    BIG_DECIMAL(BigDecimal.class, 0, 0);

    final Class<?> boxed;
    final long min;
    final long max;

    Kind(Class<?> boxed, long min, long max) {
      this.boxed = boxed;
      this.min = min;
      this.max = max;
    }

    /** The kind for a primitive or boxed number class, BigInteger or BigDecimal, else null. */
    static @Nullable Kind of(Class<?> type) {
      if (type == byte.class || type == Byte.class) {
        return BYTE;
      } else if (type == short.class || type == Short.class) {
        return SHORT;
      } else if (type == int.class || type == Integer.class) {
        return INT;
      } else if (type == long.class || type == Long.class) {
        return LONG;
      } else if (type == float.class || type == Float.class) {
        return FLOAT;
      } else if (type == double.class || type == Double.class) {
        return DOUBLE;
      } else if (type == BigInteger.class) {
        return BIG_INTEGER;
      } else if (type == BigDecimal.class) {
        return BIG_DECIMAL;
      }
      return null;
    }
  }

  private final Kind kind;
  private final boolean primitive;
  private final String typeName;

  /**
   * @param kind the declared number type
   * @param primitive whether it is a primitive ({@code null} is then refused)
   * @param typeName the declared type's name for messages ({@code int}, {@code Integer})
   */
  NumberCorrector(Kind kind, boolean primitive, String typeName) {
    this.kind = kind;
    this.primitive = primitive;
    this.typeName = typeName;
  }

  @Override
  public @Nullable Object correct(@Nullable Object value) {
    if (kind.boxed.isInstance(value)) {
      return value;
    }
    if (value == null) {
      if (primitive) {
        throw new CorrectionFailure(typeName, "null", null);
      }
      return null;
    }
    if (value instanceof Number number) {
      return convert(number);
    }
    if (value instanceof String text && (kind == Kind.FLOAT || kind == Kind.DOUBLE)) {
      double special =
          switch (text) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw failure(value, null);
          };
      return kind == Kind.FLOAT ? (Object) (float) special : (Object) special;
    }
    throw failure(value, null);
  }

  /** Converts a number to the declared kind, or throws naming why it would lose information. */
  Object convert(Number number) {
    if (number instanceof Byte
        || number instanceof Short
        || number instanceof Integer
        || number instanceof Long) {
      return fromLong(number.longValue(), number);
    }
    if (number instanceof BigInteger big) {
      return big.bitLength() < Long.SIZE ? fromLong(big.longValue(), number) : fromBig(big, number);
    }
    if (number instanceof Double || number instanceof Float) {
      return fromFloating(number);
    }
    if (number instanceof BigDecimal decimal) {
      return fromDecimal(decimal, number);
    }
    throw failure(number, null);
  }

  private Object fromLong(long value, Number original) {
    return switch (kind) {
      case BYTE, SHORT, INT, LONG -> {
        if (value < kind.min || value > kind.max) {
          throw failure(original, "out of range");
        }
        yield boxIntegral(value);
      }
      case FLOAT -> (float) value;
      case DOUBLE -> (double) value;
      case BIG_INTEGER -> BigInteger.valueOf(value);
      case BIG_DECIMAL -> BigDecimal.valueOf(value);
    };
  }

  /** An integral value too wide for a long. */
  private Object fromBig(BigInteger value, Number original) {
    return switch (kind) {
      case BYTE, SHORT, INT, LONG -> throw failure(original, "out of range");
      case FLOAT -> value.floatValue();
      case DOUBLE -> value.doubleValue();
      case BIG_INTEGER -> value;
      case BIG_DECIMAL -> new BigDecimal(value);
    };
  }

  private Object fromFloating(Number original) {
    double value = original.doubleValue();
    if (kind == Kind.DOUBLE) {
      return value;
    }
    if (kind == Kind.FLOAT) {
      return original.floatValue();
    }
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw failure(original, "not a finite number");
    }
    // toString is the shortest decimal that reads back as the same float or double: what a
    // reader of the JSON text would have seen.
    return fromDecimal(new BigDecimal(original.toString()), original);
  }

  private Object fromDecimal(BigDecimal value, Number original) {
    return switch (kind) {
      case FLOAT -> value.floatValue();
      case DOUBLE -> value.doubleValue();
      case BIG_DECIMAL -> value;
      case BYTE, SHORT, INT, LONG, BIG_INTEGER -> {
        BigInteger whole;
        try {
          whole = value.toBigIntegerExact();
        } catch (ArithmeticException e) {
          throw failure(original, "not a whole number");
        }
        yield kind == Kind.BIG_INTEGER
            ? whole
            : whole.bitLength() < Long.SIZE
                ? fromLong(whole.longValue(), original)
                : fromBig(whole, original);
      }
    };
  }

  private Object boxIntegral(long value) {
    return switch (kind) {
      case BYTE -> (byte) value;
      case SHORT -> (short) value;
      case INT -> (int) value;
      default -> value;
    };
  }

  private CorrectionFailure failure(Object value, @Nullable String detail) {
    return new CorrectionFailure(typeName, TypeNames.value(value), detail);
  }
}
