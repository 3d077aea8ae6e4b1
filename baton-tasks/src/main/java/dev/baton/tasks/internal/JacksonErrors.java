package dev.baton.tasks.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns a Jackson exception into the short detail a {@link dev.baton.tasks.MarshallingException}
 * carries: where in the value it happened ({@code at x.items[2]}) and Jackson's own reason, first
 * line only, without its source location and without its advice on enabling coercions (Baton's
 * configuration is fixed, so that advice would mislead).
 *
 * <p>Stateless; thread-safe.
 */
final class JacksonErrors {

  private static final Pattern COERCION_ADVICE =
      Pattern.compile("\\s*\\((?:but|set|disable|enable)[^)]*\\)");
  private static final int MAX_DETAIL_CHARS = 300;

  private JacksonErrors() {}

  /** The detail of a Jackson failure, or of any other cause; {@code null} when there is none. */
  static @Nullable String detail(@Nullable Throwable error) {
    if (error == null) {
      return null;
    }
    String reason =
        error instanceof JacksonException jackson ? jackson.getOriginalMessage() : error.toString();
    if (reason == null) {
      reason = error.getClass().getSimpleName();
    }
    reason = firstLine(COERCION_ADVICE.matcher(reason).replaceAll(""));
    String path = error instanceof JsonMappingException mapping ? path(mapping.getPath()) : "";
    return path.isEmpty() ? reason : "at " + path + ": " + reason;
  }

  /** {@code x.items[2]} for Jackson's reference chain. */
  static String path(List<JsonMappingException.Reference> references) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : references) {
      String field = reference.getFieldName();
      if (field != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(field);
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    String line = (newline < 0 ? text : text.substring(0, newline)).strip();
    return line.length() <= MAX_DETAIL_CHARS ? line : line.substring(0, MAX_DETAIL_CHARS) + "…";
  }
}
