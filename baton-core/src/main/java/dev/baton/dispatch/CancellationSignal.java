package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-way switch from "running" to "cancelled", with callbacks that run once when it flips.
 *
 * <p>Thread-safe. {@link #isCancelled()} is a volatile read, cheap enough for a handler to poll in
 * a loop. Callbacks run on the thread that calls {@link #cancel()}, outside the lock, in the order
 * they were registered; one that throws is logged and does not stop the others. A callback
 * registered after cancellation runs at once on the registering thread.
 */
public final class CancellationSignal {
  private static final Logger log = LoggerFactory.getLogger(CancellationSignal.class);

  private final Object lock = new Object();

  /** Written under {@link #lock}; read without it by {@link #isCancelled()}. */
  private volatile boolean cancelled;

  /**
   * Keyed by a registration object per call, so the same action may be registered twice. Created on
   * the first registration: most signals (one per process) never get a callback.
   */
  @GuardedBy("lock")
  private @Nullable Map<Registration, Runnable> callbacks;

  /** Creates a signal that is not cancelled. */
  public CancellationSignal() {}

  /** Returns whether {@link #cancel()} has been called. */
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * Runs {@code action} when this signal is cancelled, or at once if it already is.
   *
   * @return a registration that removes the action before it runs
   */
  public Registration onCancel(Runnable action) {
    requireNonNull(action, "action");
    synchronized (lock) {
      if (!cancelled) {
        Registration registration = new CallbackRegistration();
        if (callbacks == null) {
          callbacks = new LinkedHashMap<>();
        }
        callbacks.put(registration, action);
        return registration;
      }
    }
    runLogged(action);
    return () -> false;
  }

  /**
   * Cancels this signal and runs the registered callbacks; only the first call has any effect.
   *
   * @return {@code true} if this call cancelled the signal
   */
  public boolean cancel() {
    List<Runnable> toRun;
    synchronized (lock) {
      if (cancelled) {
        return false;
      }
      cancelled = true;
      toRun = callbacks == null ? List.of() : List.copyOf(callbacks.values());
      callbacks = null;
    }
    toRun.forEach(CancellationSignal::runLogged);
    return true;
  }

  private boolean removeCallback(Registration registration) {
    synchronized (lock) {
      return callbacks != null && callbacks.remove(registration) != null;
    }
  }

  /** Identifies one registered callback; identity equality. */
  private final class CallbackRegistration implements Registration {
    @Override
    public boolean remove() {
      return removeCallback(this);
    }
  }

  private static void runLogged(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException | Error e) {
      log.warn("a cancellation callback threw; the others still run", e);
    }
  }
}
