package dev.baton.cli;

/** How the commands turn exceptions into one line for the user. */
public final class Messages {
  private Messages() {}

  /**
   * The exception's message, followed by its root cause when that is another exception (a boot
   * failure wraps the bind error or the refused connection that explains it).
   */
  public static String rootMessage(Throwable e) {
    Throwable root = e;
    int depth = 0;
    for (Throwable cause = e.getCause(); cause != null && depth < 32; cause = cause.getCause()) {
      root = cause;
      depth++;
    }
    return depth == 0 ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + root;
  }
}
