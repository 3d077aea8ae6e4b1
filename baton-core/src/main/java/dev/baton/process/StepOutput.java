package dev.baton.process;

import dev.baton.dispatch.Command;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link StepProcess}'s step writes: the commands it yields and what the process does next.
 *
 * <p>Any number of yields may be written; each is dispatched after the step returns, unless the
 * status is {@link #done}, in which case they are discarded. The status defaults to {@link
 * #waitForYields()} when the step yielded something and to {@link #continueRunning()} otherwise;
 * the last status written wins.
 *
 * <p>Tags are process-local correlation ids. {@link #yield(Command)} allocates the next one from
 * the process's counter, which starts at 1; a process that manages its own tags passes them to
 * {@link #yield(Command, long)}. Reusing a tag whose command is still pending is a programming
 * error: the command is not dispatched and the step after receives a {@link TagInUseException} for
 * it.
 */
// "yield" is the runtime's word for handing a command to the dispatcher; calls are always qualified
// (out.yield(...)), which is what Java requires of a method named like the contextual keyword.
@SuppressWarnings("NamedLikeContextualKeyword")
public interface StepOutput {

  /** Yields {@code command} under the next tag of the process's counter; returns the tag. */
  long yield(Command<?> command);

  /**
   * Yields {@code command} under the next tag; if it has not completed within {@code deadline}, the
   * process receives a {@link YieldTimeoutException} for the tag, the handler's context is
   * cancelled (so it stops the work) and the late completion is dropped. The tag stays reserved
   * until that late completion arrives.
   */
  long yield(Command<?> command, Duration deadline);

  /** Yields {@code command} under a tag the process chose (positive). */
  void yield(Command<?> command, long tag);

  /** Yields {@code command} under a tag the process chose, with a deadline. */
  void yield(Command<?> command, long tag, Duration deadline);

  /** Runs the process again as soon as a worker is free, whether or not anything arrived. */
  void continueRunning();

  /** Waits until one of the process's yields completes (or a message arrives). */
  void waitForYields();

  /** Waits until a message arrives (or one of the process's yields completes). */
  void idle();

  /** Ends the process with {@code result}; yields written in the same step are discarded. */
  void done(@Nullable Object result);
}
