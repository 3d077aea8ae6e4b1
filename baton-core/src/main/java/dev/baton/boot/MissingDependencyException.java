package dev.baton.boot;

import java.util.List;

/** A component depends on a name that no component of the node has. */
public final class MissingDependencyException extends BootException {

  private final String component;
  private final String dependency;

  MissingDependencyException(String component, String dependency, List<String> allMissing) {
    super(
        "component '"
            + component
            + "' depends on '"
            + dependency
            + "', which is not registered"
            + (allMissing.size() > 1 ? " (all missing: " + allMissing + ")" : "")
            + "; add that component to the node or remove the dependency");
    this.component = component;
    this.dependency = dependency;
  }

  /** The first component, by name, that depends on a missing one. */
  public String component() {
    return component;
  }

  /** The name it depends on that no component has. */
  public String dependency() {
    return dependency;
  }
}
