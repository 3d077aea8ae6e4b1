package dev.baton.tasks;

import dev.baton.time.TimeSource;
import org.jspecify.annotations.Nullable;

/**
 * What the engine shares with its bridge: settings, time, the catalog, events, pending calls, the
 * attempt runner and the observer.
 */
record AppServices(
    AppSettings settings,
    TimeSource time,
    TaskCatalog catalog,
    EventBus events,
    PendingCalls pending,
    AttemptRunner runner,
    ObserverCalls observers) {

  /** Emits an event if anyone listens for its origin and level (else builds nothing). */
  void emit(
      EventOrigin origin,
      EventLevel level,
      EventCode code,
      String message,
      @Nullable TaskKey key,
      @Nullable Throwable cause) {
    if (events.wants(origin, level)) {
      events.emit(new TaskEvent(origin, level, code, message, key, cause, time.now()));
    }
  }

  Report report(TaskKey key, ReportStatus status, int attempt) {
    return new Report(key, status, attempt, null, null, null, time.now());
  }
}
