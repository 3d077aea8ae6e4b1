package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import dev.baton.time.TimeSource;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TaskApp}'s validated settings. A missing time source means the app creates (and closes)
 * its own {@link dev.baton.time.SystemTimeSource}.
 */
record AppSettings(
    TaskApp.Mode mode,
    @Nullable TimeSource timeSource,
    int maxPayloadBytes,
    int eventBufferSize,
    int unknownTaskReleases,
    int prefetchMultiplier,
    Duration shutdownGrace,
    Duration heartbeatInterval,
    String workerId,
    TaskObserver observer) {

  AppSettings {
    requireNonNull(mode, "mode");
    requireNonNull(observer, "observer");
    requireNonNull(workerId, "workerId");
    positive("maxPayloadBytes", maxPayloadBytes);
    positive("eventBufferSize", eventBufferSize);
    positive("unknownTaskReleases", unknownTaskReleases);
    positive("prefetchMultiplier", prefetchMultiplier);
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException(
          "shutdownGrace must not be negative, got " + shutdownGrace);
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException(
          "heartbeatInterval must be positive, got " + heartbeatInterval);
    }
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
