package dev.baton.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration option: a number with a unit ({@code 500ms}, {@code 30s}, {@code 5m}, {@code
 * 1h}) or ISO-8601 ({@code PT30S}).
 */
final class Durations implements ITypeConverter<Duration> {
  /** Created by picocli. */
  Durations() {}

  @Override
  public Duration convert(String value) {
    String text = value.strip().toLowerCase(Locale.ROOT);
    try {
      if (text.startsWith("pt") || text.startsWith("p")) {
        return positive(value, Duration.parse(value.strip().toUpperCase(Locale.ROOT)));
      }
      if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
        throw new TypeConversionException(
            "'" + value + "' has no unit; write e.g. " + text + "s (or 500ms, 5m, 1h, PT30S)");
      }
      if (text.endsWith("ms")) {
        return positive(
            value, Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2))));
      }
      long amount = Long.parseLong(text.substring(0, text.length() - 1));
      return positive(
          value,
          switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new NumberFormatException();
          });
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration; write e.g. 500ms, 30s, 5m, 1h or PT30S");
    }
  }

  private static Duration positive(String value, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new TypeConversionException("'" + value + "' must be a positive duration");
    }
    return duration;
  }
}
