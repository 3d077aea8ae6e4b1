package dev.baton.process;

import dev.baton.dispatch.Command;
import java.time.Duration;
import java.util.Optional;

/**
 * What a {@link Coroutine} uses to talk to the world: call a command and wait for its result,
 * receive a message. Only the coroutine's own thread may call these methods.
 *
 * <p>Termination: once the process is terminated, its context is cancelled, its thread is
 * interrupted, and every method here throws {@link ProcessTerminatedException}. Code that never
 * calls back into Baton (a loop that neither calls nor receives) cannot be forced to stop.
 */
public interface CoroutineScope extends ProcessContext {

  /**
   * Yields {@code command} and waits for its completion.
   *
   * @return the command's result, as its handler completed it
   * @throws RuntimeException the command's failure as the handler reported it (a checked failure
   *     arrives wrapped in a {@link CommandFailedException}); {@link
   *     dev.baton.dispatch.UnknownCommandException} if no module handles it
   * @throws ProcessTerminatedException if the process is terminated while it waits
   */
  <R> R call(Command<R> command);

  /**
   * Like {@link #call(Command)}, but fails with a {@link YieldTimeoutException} if the command has
   * not completed within {@code deadline}: the handler's context is then cancelled, so it stops the
   * work, and its late completion is dropped.
   */
  <R> R call(Command<R> command, Duration deadline);

  /** Waits for the next message, whatever its topic. */
  Message receive();

  /**
   * Waits for the next message on {@code topic}; messages on other topics stay in the mailbox, in
   * order, for later receives.
   */
  Message receive(String topic);

  /**
   * Waits up to {@code timeout} (on the scheduler's time source) for the next message.
   *
   * @return the message, or empty if none arrived in time
   */
  Optional<Message> receive(Duration timeout);
}
