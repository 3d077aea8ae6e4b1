package dev.baton.modules.process;

import dev.baton.modules.ModuleException;

/**
 * A {@link Processes.Send} addressed a name that no live process holds: it was never registered, or
 * its process has ended (a name is freed with its process). Spawn the process with that name, or
 * send to a pid.
 */
public final class NameNotFoundException extends ModuleException {
  private final String name;

  /**
   * @param name the name that no live process holds
   */
  public NameNotFoundException(String name) {
    super(
        "no live process is registered under the name '"
            + name
            + "': it was never registered or its process has ended");
    this.name = name;
  }

  /** The name that no live process holds. */
  public String name() {
    return name;
  }
}
