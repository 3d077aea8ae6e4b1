package dev.baton.boot;

/** A component asked the context for a service that no component loaded before it provided. */
public final class MissingServiceException extends BootException {

  private final String keyName;

  MissingServiceException(Key<?> key, Iterable<Key<?>> present) {
    super(
        "no service "
            + key
            + " in the context (it holds: "
            + present
            + "); does the component that needs it depend on the component that provides it?");
    this.keyName = key.name();
  }

  /** The name of the key that was asked for. */
  public String keyName() {
    return keyName;
  }
}
