package dev.baton.boot;

/** Two components of one node share a name. */
public final class DuplicateComponentException extends BootException {

  DuplicateComponentException(String name) {
    super(
        "component already registered: '"
            + name
            + "'; each component of a node needs its own name");
  }
}
