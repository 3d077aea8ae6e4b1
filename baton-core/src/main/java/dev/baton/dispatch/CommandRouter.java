package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

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
 *   <li>The handler throws: the tag completes with what it threw.
 * </ul>
 *
 * <p>Thread-safe; lock-free once the registry is frozen.
 */
public final class CommandRouter {
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
    @Nullable Handler handler = registry.handler(command.commandId().value());
    if (handler == null) {
      handler = registry.unknownCommandHandler();
    }
    try {
      handler.handle(context, command, tag, receiver);
    } catch (Throwable failure) {
      // A handler that throws completes its tag with the failure; the caller's worker carries on.
      receiver.completeYield(tag, null, failure);
    }
  }
}
