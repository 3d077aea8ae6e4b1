package dev.baton.redis;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AdapterContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The app contexts an adapter is attached to, and emission of its events through all of them.
 *
 * <p>Thread-safe: attach and detach are rare, emission frequent, so the contexts live in a
 * copy-on-write list. A context that throws does not stop the others from receiving the event.
 */
final class Events {
  private final List<AdapterContext> contexts = new CopyOnWriteArrayList<>();

  void attach(AdapterContext context) {
    contexts.add(requireNonNull(context, "context"));
  }

  void detach(AdapterContext context) {
    contexts.remove(requireNonNull(context, "context"));
  }

  void emit(
      EventLevel level,
      EventCode code,
      String message,
      @Nullable TaskKey key,
      @Nullable Throwable cause) {
    for (AdapterContext context : contexts) {
      try {
        context.emit(level, code, message, key, cause);
      } catch (RuntimeException ignored) {
        // AdapterContext.emit never throws by contract; one that does must not break the adapter
      }
    }
  }
}
