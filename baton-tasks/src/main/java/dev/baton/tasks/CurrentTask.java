package dev.baton.tasks;

import org.jspecify.annotations.Nullable;

/**
 * The {@link TaskContext} of the task running on this thread.
 *
 * <p>A thread-local rather than a {@link ScopedValue}: binding a scoped value allocates a carrier
 * and a closure on every attempt, and the local round trip's allocation budget is tight. A worker
 * thread sets it around the task body and clears it (to null, keeping the thread's entry, so the
 * next attempt allocates nothing) in a finally block, so it never leaks to the next task.
 */
final class CurrentTask {

  static final ThreadLocal<@Nullable TaskContext> CONTEXT = new ThreadLocal<>();

  private CurrentTask() {}
}
