package dev.baton.boot;

import java.util.Locale;

/** A component's load, start or stop threw; the cause is what it threw. */
public final class ComponentFailedException extends BootException {

  /** The step of a component's life that failed. */
  public enum Phase {
    LOAD,
    START,
    STOP
  }

  private final String component;
  private final Phase phase;

  ComponentFailedException(String component, Phase phase, Throwable cause) {
    super(
        "failed to "
            + phase.name().toLowerCase(Locale.ROOT)
            + " component '"
            + component
            + "': "
            + cause,
        cause);
    this.component = component;
    this.phase = phase;
  }

  /** The name of the component that failed. */
  public String component() {
    return component;
  }

  /** The step that failed. */
  public Phase phase() {
    return phase;
  }
}
