package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Something a component of a {@link TaskApp} wants people to know: a dropped delivery, a decode
 * failure, a retry, a reconnect. Received through {@link TaskApp#listen}.
 *
 * @param origin the component that emitted it
 * @param level how severe it is
 * @param code what kind of thing it is
 * @param message what happened, for people
 * @param key the call concerned, if one is
 * @param cause the underlying exception, if any
 * @param at when it happened, on the app's time source
 */
public record TaskEvent(
    EventOrigin origin,
    EventLevel level,
    EventCode code,
    String message,
    @Nullable TaskKey key,
    @Nullable Throwable cause,
    Instant at) {

  public TaskEvent {
    requireNonNull(origin, "origin");
    requireNonNull(level, "level");
    requireNonNull(code, "code");
    requireNonNull(message, "message");
    requireNonNull(at, "at");
  }
}
