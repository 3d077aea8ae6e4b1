package dev.baton.boot;

/** A component added a service under a name the context already holds. */
public final class DuplicateServiceException extends BootException {

  DuplicateServiceException(Key<?> key, Key<?> existing) {
    super(
        "cannot add "
            + key
            + ": the context already holds "
            + existing
            + "; each service name is provided by one component");
  }
}
