package dev.baton.process;

import org.jspecify.annotations.Nullable;

/**
 * A process written as straight-line code on a virtual thread: it calls commands and receives
 * messages through its {@link CoroutineScope}, which parks the thread until the answer arrives.
 *
 * <p>A coroutine belongs to the scheduler's process table like a step process (pid, state, stats,
 * limits, messages, termination) and its commands go through the same registry and handlers, but it
 * runs on the JDK's virtual-thread scheduler rather than on Baton's workers, so it may also block
 * in ordinary Java code.
 */
@FunctionalInterface
public interface Coroutine {

  /**
   * The process's body. Returning ends the process normally with the returned value; throwing ends
   * it with what was thrown.
   *
   * @param process the process's identity and its way to call commands and receive messages
   * @param input what the spawner passed
   */
  @Nullable Object run(CoroutineScope process, @Nullable Object input) throws Exception;
}
