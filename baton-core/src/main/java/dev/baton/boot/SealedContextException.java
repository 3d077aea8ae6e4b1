package dev.baton.boot;

/** A service was added to a context after the node started and sealed it. */
public final class SealedContextException extends BootException {

  SealedContextException(Key<?> key) {
    super(
        "cannot add "
            + key
            + ": the context is sealed once the node starts; provide services from a component's"
            + " load");
  }
}
