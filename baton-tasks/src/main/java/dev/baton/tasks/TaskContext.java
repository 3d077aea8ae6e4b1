package dev.baton.tasks;

import java.util.Optional;

/**
 * What a running task knows about its call, reached with {@link #current()} from the task's own
 * thread (set for the attempt, cleared after it).
 */
public interface TaskContext {

  /** The context of the task running on this thread, if one is. */
  static Optional<TaskContext> current() {
    return Optional.ofNullable(CurrentTask.CONTEXT.get());
  }

  /** The call being run. */
  TaskKey key();

  /** This attempt, from 1. */
  int attempt();

  /** The options of the call. */
  TaskOptions options();

  /**
   * This attempt's W3C trace context: the caller's trace id, with a new span id of this attempt's
   * own as its parent id (a {@link TraceParent#child() child} of the trace the call carried). A
   * call made from inside the task continues this trace unless its options {@linkplain
   * TaskOptions.Builder#traceparent set another}. When the call carried no trace, or one that did
   * not parse, the attempt starts a new trace. The same value for the whole attempt.
   */
  TraceParent trace();

  /**
   * Reports progress to the caller as a {@link ReportStatus#PROGRESS} report carrying {@link
   * Progress}; sent only when the call monitors progress, otherwise a no-op.
   *
   * @param percent from 0 to 100
   * @param message what the task is doing
   */
  void progress(int percent, String message);

  /**
   * Whether the attempt should stop: its timeout passed, the call was revoked, or the app is
   * closing. The thread is interrupted too, so blocking calls end early.
   */
  boolean isCancelled();
}
