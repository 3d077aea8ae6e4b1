package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatch path: routes one command to its handler and guarantees that every failure on the way
 * reaches the caller as an error completion of the command's tag.
 *
 * <p>Used by the process runtime for every yield, and by any code that dispatches commands outside
 * a process. It adds nothing to the registry but the failure handling, and allocates nothing on the
 * success path. The registry's interceptors see every dispatch, an unknown id's included.
 *
 * <ul>
 *   <li>No handler for the id: the tag completes with an {@link UnknownCommandException} carrying
 *       the id.
 *   <li>The handler throws: the tag completes with what it threw. An {@link InterruptedException}
 *       also restores the thread's interrupt flag; a {@link VirtualMachineError} (out of memory,
 *       stack overflow) completes the tag and is then rethrown, since the thread cannot be trusted
 *       to go on.
 * </ul>
 *
 * <p>A handler that completed its tag and then threw would complete it twice; receivers ignore the
 * second completion (the process runtime does), so the caller sees the first.
 *
 * <p>Thread-safe; lock-free once the registry is frozen.
 */
public final class CommandRouter {
  private static final Logger log = LoggerFactory.getLogger(CommandRouter.class);

  private final Registry registry;

  /** Creates a router over {@code registry}, which should be frozen before commands flow. */
  public CommandRouter(Registry registry) {
    this.registry = requireNonNull(registry, "registry");
  }

  /**
   * Dispatches {@code command} for the caller described by {@code context}; its outcome arrives on
   * {@code receiver} under {@code tag}. Never throws for a routing or handler failure.
   */
  public void route(CommandContext context, Command<?> command, long tag, ResultReceiver receiver) {
    try {
      @Nullable Handler handler = registry.handler(command.commandId().value());
      if (handler == null) {
        handler = registry.unknownCommandHandler();
      }
      handler.handle(context, command, tag, receiver);
    } catch (Throwable failure) {
      if (failure instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      completeWithFailure(receiver, tag, failure);
      if (failure instanceof VirtualMachineError fatal) {
        throw fatal;
      }
    }
  }

  private static void completeWithFailure(ResultReceiver receiver, long tag, Throwable failure) {
    try {
      receiver.completeYield(tag, null, failure);
    } catch (RuntimeException receiverFailed) {
      // Receivers must not throw; if one does, the caller's worker must still carry on.
      receiverFailed.addSuppressed(failure);
      log.error("the receiver of tag {} threw while taking a failure", tag, receiverFailed);
    }
  }
}
