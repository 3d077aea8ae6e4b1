package dev.baton.process;

/** A process name is already registered to another live process. */
public final class NameTakenException extends ProcessException {

  public NameTakenException(String name, Pid holder) {
    super(
        "the name '"
            + name
            + "' is already registered to process "
            + holder
            + "; names are unique among live processes");
  }
}
