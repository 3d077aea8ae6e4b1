package dev.baton.tasks.memory;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.AttachedContexts;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory adapters' events: {@link AttachedContexts} plus events collected under a lock and
 * emitted after it is released. Thread-safe.
 */
final class AdapterEvents {
  private final AttachedContexts contexts = new AttachedContexts();

  void attach(AdapterContext context) {
    contexts.attach(context);
  }

  void detach(AdapterContext context) {
    contexts.detach(context);
  }

  void emit(
      EventLevel level,
      EventCode code,
      String message,
      @Nullable TaskKey key,
      @Nullable Throwable cause) {
    contexts.emit(level, code, message, key, cause);
  }

  void emit(Event event) {
    emit(event.level(), event.code(), event.message(), event.key(), event.cause());
  }

  void emitAll(List<Event> events) {
    for (Event event : events) {
      emit(event);
    }
  }

  /** An event collected under a lock, to be emitted after the lock is released. */
  record Event(
      EventLevel level,
      EventCode code,
      String message,
      @Nullable TaskKey key,
      @Nullable Throwable cause) {}
}
