package dev.baton.boot;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Some components failed to stop. Shutdown carried on past each failure, so every other component
 * was stopped; {@link #failures()} lists each failure, and each is also a suppressed exception.
 */
public final class ShutdownException extends BootException {

  private final List<ComponentFailedException> failures;

  ShutdownException(List<ComponentFailedException> failures) {
    super(
        "shutdown failed ("
            + failures.size()
            + (failures.size() == 1 ? " component" : " components")
            + " failed to stop): "
            + failures.stream()
                .map(failure -> failure.component() + ": " + failure.getCause())
                .collect(Collectors.joining("; ")),
        failures.getFirst());
    this.failures = List.copyOf(failures);
    failures.stream().skip(1).forEach(this::addSuppressed);
  }

  /** Every component that failed to stop, in the order shutdown reached them. */
  public List<ComponentFailedException> failures() {
    return failures;
  }
}
