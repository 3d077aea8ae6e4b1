package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import dev.baton.time.TimeSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls an app's {@link TaskObserver} so that it can never fail a task: every callback is wrapped,
 * and the first exception an observer throws is reported as one {@link EventCode#GENERIC} WARNING
 * event (and logged); later ones are only logged at DEBUG, so a broken observer cannot flood the
 * event listeners.
 *
 * <p>The bridges test {@link #active()} before building a callback's arguments (a trace, a {@link
 * Duration}), so an app without an observer allocates nothing for it.
 *
 * <p>Concurrency: thread-safe; callbacks run on the caller's thread, and {@code reported} is an
 * atomic flag set once.
 */
final class ObserverCalls {
  private static final Logger log = LoggerFactory.getLogger(ObserverCalls.class);

  private final TaskObserver observer;
  private final boolean active;
  private final EventBus events;
  private final TimeSource time;
  private final AtomicBoolean reported = new AtomicBoolean();

  ObserverCalls(TaskObserver observer, EventBus events, TimeSource time) {
    this.observer = requireNonNull(observer, "observer");
    this.active = !observer.equals(TaskObserver.NONE);
    this.events = requireNonNull(events, "events");
    this.time = requireNonNull(time, "time");
  }

  /** Whether an observer is set (callbacks may be skipped, arguments unbuilt, when not). */
  boolean active() {
    return active;
  }

  void sent(TaskKey key, String queue, TraceParent trace) {
    try {
      observer.sent(key, queue, trace);
    } catch (RuntimeException | Error e) {
      failed("sent", key, EventOrigin.CALLER, e);
    }
  }

  void attemptStarted(TaskKey key, int attempt, TraceParent trace) {
    try {
      observer.attemptStarted(key, attempt, trace);
    } catch (RuntimeException | Error e) {
      failed("attemptStarted", key, EventOrigin.WORKER, e);
    }
  }

  void attemptFinished(
      TaskKey key,
      int attempt,
      TaskObserver.AttemptOutcome outcome,
      @Nullable TaskError error,
      long tookNanos) {
    try {
      observer.attemptFinished(key, attempt, outcome, error, Duration.ofNanos(tookNanos));
    } catch (RuntimeException | Error e) {
      failed("attemptFinished", key, EventOrigin.WORKER, e);
    }
  }

  void deadLettered(TaskKey key, String queue, TaskError error) {
    try {
      observer.deadLettered(key, queue, error);
    } catch (RuntimeException | Error e) {
      failed("deadLettered", key, EventOrigin.WORKER, e);
    }
  }

  void callFinished(TaskKey key, TaskState state, @Nullable TaskError error, long latencyNanos) {
    try {
      observer.callFinished(key, state, error, Duration.ofNanos(Math.max(0, latencyNanos)));
    } catch (RuntimeException | Error e) {
      failed("callFinished", key, EventOrigin.CALLER, e);
    }
  }

  private void failed(String callback, TaskKey key, EventOrigin origin, Throwable e) {
    if (e instanceof VirtualMachineError fatal) {
      throw fatal; // out of memory and the like are not the observer's to swallow
    }
    if (!reported.compareAndSet(false, true)) {
      log.debug("task observer {}.{} threw again for {}", observer, callback, key, e);
      return;
    }
    String message =
        "the task observer "
            + observer.getClass().getName()
            + " threw from "
            + callback
            + " for "
            + key
            + ": "
            + e
            + "; the task goes on, and later exceptions of this observer are only logged at DEBUG";
    log.warn(message, e);
    if (events.wants(origin, EventLevel.WARNING)) {
      events.emit(
          new TaskEvent(
              origin, EventLevel.WARNING, EventCode.GENERIC, message, key, e, time.now()));
    }
  }
}
