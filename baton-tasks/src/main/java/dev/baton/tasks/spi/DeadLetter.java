package dev.baton.tasks.spi;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A task that could not be completed: its last attempt failed, its payload did not decode, or no
 * worker serves its name.
 *
 * @param id the broker's id for this dead letter
 * @param queue the queue it came from
 * @param key the call, or {@code null} when the payload did not decode far enough to tell
 * @param error why it was dead-lettered
 * @param at when
 * @param body the envelope as it was received
 */
@SuppressWarnings("ArrayRecordComponent") // bytes from the wire, shown as they were; never compared
public record DeadLetter(
    String id, String queue, @Nullable TaskKey key, TaskError error, Instant at, byte[] body) {

  public DeadLetter {
    requireNonNull(id, "id");
    requireNonNull(queue, "queue");
    requireNonNull(error, "error");
    requireNonNull(at, "at");
    requireNonNull(body, "body");
  }
}
