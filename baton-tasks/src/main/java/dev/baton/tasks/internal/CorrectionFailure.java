package dev.baton.tasks.internal;

import org.jspecify.annotations.Nullable;

/**
 * Why one value could not be corrected to one declared type, thrown inside a {@link ValueCorrector}
 * tree and turned into a {@link dev.baton.tasks.MarshallingException} by whoever knows the task and
 * the parameter ({@link ArgumentCorrector}).
 *
 * <p>Correctors of containers prepend where in the value the failure happened ({@code [2]}, {@code
 * ["key"]}), so the final message can say which element failed. Carries no stack trace: it is a
 * value on the failure path, never a programming error. Confined to the thread that corrects.
 */
final class CorrectionFailure extends RuntimeException {

  private final String expected;
  private final String found;
  private final @Nullable String detail;
  private String path = "";

  /**
   * @param expected the declared type, as {@link TypeNames#of} names it
   * @param found the value, as {@link TypeNames#value} shows it
   * @param detail why, when the types alone do not say ({@code out of range}), or {@code null}
   */
  CorrectionFailure(String expected, String found, @Nullable String detail) {
    super(expected + " <- " + found, null, false, false);
    this.expected = expected;
    this.found = found;
    this.detail = detail;
  }

  /** Records that the failure happened inside the element or entry {@code step}. */
  CorrectionFailure within(String step) {
    path = step + path;
    return this;
  }

  /**
   * The message for a failure of the value at the top level ({@code parameter b} or {@code return
   * value}) whose declared type is {@code declared} and whose value was {@code topValue}.
   */
  String describe(String subject, String declared, String topValue) {
    StringBuilder message = new StringBuilder(subject);
    if (path.isEmpty()) {
      message.append(" expects ").append(expected).append(", got ").append(found);
      if (detail != null) {
        message.append(" (").append(detail).append(')');
      }
    } else {
      message.append(" expects ").append(declared).append(", got ").append(topValue);
      message
          .append(" (at ")
          .append(path)
          .append(": expected ")
          .append(expected)
          .append(", got ")
          .append(found);
      if (detail != null) {
        message.append(": ").append(detail);
      }
      message.append(')');
    }
    return message.toString();
  }

  @Override
  public String getMessage() {
    return path.isEmpty() ? expected + " <- " + found : path + ": " + expected + " <- " + found;
  }
}
