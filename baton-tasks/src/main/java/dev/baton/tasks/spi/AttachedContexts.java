package dev.baton.tasks.spi;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The app contexts an adapter is attached to, and the emission of its events through all of them:
 * what every {@link TaskAdapter} that emits events needs for {@link TaskAdapter#attach} and {@link
 * TaskAdapter#detach}, since one adapter may serve several apps.
 *
 * <p>Thread-safe: attach and detach are rare, emission frequent, so the contexts live in a
 * copy-on-write list. Emit outside your own locks. A context that throws does not stop the others
 * from receiving the event.
 */
public final class AttachedContexts {
  private final List<AdapterContext> contexts = new CopyOnWriteArrayList<>();

  /** Creates an empty set of contexts. */
  public AttachedContexts() {}

  /** Adds the context of an app that attached the adapter. */
  public void attach(AdapterContext context) {
    contexts.add(requireNonNull(context, "context"));
  }

  /** Removes the context of an app that closed. */
  public void detach(AdapterContext context) {
    contexts.remove(requireNonNull(context, "context"));
  }

  /** Emits an event to every attached app. */
  public void emit(
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
