package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

/**
 * Carries out one kind of command, asynchronously.
 *
 * <p>{@link #handle} must return quickly: it starts the work (on an executor, a timer, a
 * non-blocking client) and returns; the work later completes {@code tag} on {@code receiver}, from
 * any thread, exactly once. A handler that can answer at once may complete the tag before
 * returning. A handler that throws is treated as having completed the tag with what it threw, so it
 * must not also complete it.
 *
 * <p>The handler watches {@link CommandContext#isCancelled()} (or registers {@link
 * CommandContext#onCancel}): once nobody waits for the command (the caller is gone, or the yield's
 * deadline passed) it stops the work, releases what it holds, and completes the tag with an error,
 * which the runtime drops.
 *
 * <p>Being a functional interface, a lambda is a handler; {@link #forType} adapts a function
 * written for one command class.
 */
@FunctionalInterface
public interface Handler {

  /**
   * Starts carrying out {@code command} for the caller described by {@code context}.
   *
   * @param context the caller, its cancellation and the node's services
   * @param command the command, whose id routed it here
   * @param tag the correlation tag to complete
   * @param receiver where to complete the tag
   * @throws Exception a synchronous failure, which completes the tag with this error
   */
  void handle(CommandContext context, Command<?> command, long tag, ResultReceiver receiver)
      throws Exception;

  /**
   * Adapts a handler written for one command class. A command of another class (a module that
   * routes two classes to one id by mistake) completes its tag with a {@link
   * CommandTypeMismatchException} naming both classes.
   */
  static <C extends Command<?>> Handler forType(Class<C> commandType, TypedHandler<C> handler) {
    requireNonNull(commandType, "commandType");
    requireNonNull(handler, "handler");
    return (context, command, tag, receiver) -> {
      if (!commandType.isInstance(command)) {
        throw new CommandTypeMismatchException(command, commandType);
      }
      handler.handle(context, commandType.cast(command), tag, receiver);
    };
  }

  /**
   * A handler for one command class; see {@link Handler#forType}.
   *
   * @param <C> the command class it handles
   */
  @FunctionalInterface
  interface TypedHandler<C> {
    /** Same contract as {@link Handler#handle}, with the command already of its class. */
    void handle(CommandContext context, C command, long tag, ResultReceiver receiver)
        throws Exception;
  }
}
