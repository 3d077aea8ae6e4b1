package dev.baton.tasks.spi;

import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskKey;
import dev.baton.time.TimeSource;
import org.jspecify.annotations.Nullable;

/**
 * What an app gives the adapters it attaches: its time source (for leases, delays and expiry) and a
 * way to emit events, which the app tags with the role the adapter was attached for.
 */
public interface AdapterContext {

  /** The app's time source. */
  TimeSource timeSource();

  /** Emits an event to the app's listeners; never blocks. */
  void emit(
      EventLevel level,
      EventCode code,
      String message,
      @Nullable TaskKey key,
      @Nullable Throwable cause);
}
