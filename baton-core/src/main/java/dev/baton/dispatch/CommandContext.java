package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;

/**
 * What a handler knows about the command's caller: who it is, whether it is still there, and the
 * node's shared services.
 *
 * <p>The process runtime implements this interface for each process; this package never depends on
 * it, so the caller's identity is opaque here (a process id, in practice). Once the caller is gone
 * (its process ended or was terminated), the context is cancelled: a handler should stop its work
 * and release what it holds. It may skip completing the tag, since nobody will read the completion,
 * except for a pooled command: the runtime returns a command to its pool when the command's
 * completion arrives, so a handler of pooled commands completes (with an error) even then.
 *
 * <p>Implementations are thread-safe: handlers read them from whatever thread does their work.
 */
public interface CommandContext {

  /** The caller's identity, for logs and for commands that act on the caller (a process id). */
  Object caller();

  /** Returns whether the caller is gone and the command's work should stop. */
  boolean isCancelled();

  /**
   * Runs {@code action} once when the caller goes away, or at once on this thread if it already
   * has. The action runs on the thread that cancels, so it must be short and must not block.
   *
   * @return a registration that removes the action, for handlers that finish before cancellation
   */
  Registration onCancel(Runnable action);

  /** The node's shared services. */
  AppContext services();

  /**
   * Returns a context for callers that are not processes (a test, a demo, a bridge from other
   * code), cancelled through {@code cancellation}.
   */
  static CommandContext of(Object caller, AppContext services, CancellationSignal cancellation) {
    return new SimpleCommandContext(
        requireNonNull(caller, "caller"),
        requireNonNull(services, "services"),
        requireNonNull(cancellation, "cancellation"));
  }
}
