package dev.baton.modules;

/**
 * A command named a handle (a timer, a ticker, a subscription, an OS process, an asynchronous call)
 * that the calling process does not own: it never existed, it was stopped or finished, or it
 * belongs to another process. Handles are private to the process whose command created them.
 */
public final class HandleNotFoundException extends ModuleException {
  private final String kind;
  private final long id;

  /**
   * @param kind what the handle is, for example {@code "timer"}
   * @param id the handle's number
   */
  public HandleNotFoundException(String kind, long id) {
    super(
        "no "
            + kind
            + " "
            + id
            + " is owned by this process: it was never created, it has already been stopped or"
            + " finished, or another process created it");
    this.kind = kind;
    this.id = id;
  }

  /** What the handle is, for example {@code "timer"}. */
  public String kind() {
    return kind;
  }

  /** The handle's number. */
  public long id() {
    return id;
  }
}
