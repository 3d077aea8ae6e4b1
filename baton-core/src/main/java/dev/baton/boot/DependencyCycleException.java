package dev.baton.boot;

import java.util.List;

/** Components depend on each other in a circle, so none of them can load first. */
public final class DependencyCycleException extends BootException {

  private final List<String> cycle;

  DependencyCycleException(List<String> cycle) {
    super(
        "dependency cycle: "
            + String.join(" -> ", cycle)
            + " (each depends on the next); break the cycle to boot the node");
    this.cycle = List.copyOf(cycle);
  }

  /** The components of the cycle, each depending on the next; the first is repeated at the end. */
  public List<String> cycle() {
    return cycle;
  }
}
