package dev.baton.tasks.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Describes what a payload held where a value was expected, for decoding errors: {@code JSON string
 * "x"}, {@code JSON number 1.5}, {@code Smile object}.
 *
 * <p>Called on the failure path only, with the parser still on the token that failed. Stateless;
 * thread-safe.
 */
final class TokenNames {

  private TokenNames() {}

  /**
   * @param format {@code JSON} or {@code Smile}
   * @param token the first token of the value
   * @param parser the parser, read for a scalar's text when it is still on {@code token}
   */
  static String of(String format, @Nullable JsonToken token, JsonParser parser) {
    if (token == null) {
      return "the end of the " + format + " payload";
    }
    String text = token.isScalarValue() && token == parser.currentToken() ? text(parser) : null;
    String kind =
        switch (token) {
          case START_OBJECT -> "object";
          case START_ARRAY -> "array";
          case VALUE_STRING -> "string";
          case VALUE_NUMBER_INT -> "integer";
          case VALUE_NUMBER_FLOAT -> "number";
          case VALUE_TRUE -> "true";
          case VALUE_FALSE -> "false";
          case VALUE_NULL -> "null";
          case VALUE_EMBEDDED_OBJECT -> "binary value";
          default -> token.name();
        };
    if (text == null
        || token == JsonToken.VALUE_TRUE
        || token == JsonToken.VALUE_FALSE
        || token == JsonToken.VALUE_NULL
        || token == JsonToken.VALUE_EMBEDDED_OBJECT) {
      return format + " " + kind;
    }
    return format
        + " "
        + kind
        + " "
        + (token == JsonToken.VALUE_STRING ? TypeNames.quote(text) : TypeNames.cut(text));
  }

  private static @Nullable String text(JsonParser parser) {
    try {
      return parser.getText();
    } catch (IOException e) {
      return null;
    }
  }
}
