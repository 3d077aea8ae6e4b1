package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;

/**
 * What a handler knows about the command's caller: who it is, whether it is still there, and the
 * node's shared services.
 *
 * <p>The process runtime implements this interface for each process; this package never depends on
 * it, so the caller's identity is opaque here (a process id, in practice). Once nobody waits for
 * the command (its process ended or was terminated, or the command was yielded with a deadline and
 * the deadline passed), the context is cancelled: a handler should stop its work, release what it
 * holds, and complete the tag with an error (for example a {@link
 * java.util.concurrent.CancellationException}). Nobody reads that completion, but it lets the
 * runtime forget the yield (a timed-out tag stays reserved until its completion arrives) and return
 * a pooled command to its pool.
 *
 * <p>Implementations are thread-safe: handlers read them from whatever thread does their work.
 */
public interface CommandContext {

  /** The caller's identity, for logs and for commands that act on the caller (a process id). */
  Object caller();

  /**
   * Returns whether nobody waits for the command any more (the caller is gone, or the command's
   * yield deadline passed) and its work should stop. A command completed in time is never cancelled
   * afterwards if it had a deadline, not even when its process ends: work that goes on after the
   * completion watches {@link #callerScope()} instead.
   */
  boolean isCancelled();

  /**
   * Runs {@code action} once when the command is cancelled (see {@link #isCancelled()}), or at once
   * on this thread if it already is. The action runs on the thread that cancels (the one ending the
   * process, or the time source's thread when a yield deadline passes), so it must be short and
   * must not block.
   *
   * @return a registration that removes the action, for handlers that finish before cancellation
   */
  Registration onCancel(Runnable action);

  /** The node's shared services. */
  AppContext services();

  /**
   * The context of the caller itself rather than of this one command: cancelled only when the
   * caller goes away. For most commands it is this context. A command yielded with a deadline has a
   * context of its own, cancelled when the deadline passes too; a resource the command creates for
   * its caller to keep beyond the command (a timer, a subscription, a handle) is tied to this scope
   * instead, so it lives as long as the caller.
   */
  default CommandContext callerScope() {
    return this;
  }

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
