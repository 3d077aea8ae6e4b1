package dev.baton.dashboard;

import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.DeadLetter;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One dead letter as {@code GET /api/dead-letters} lists it (its body as a size only: it may hold
 * arguments the page has no business showing).
 *
 * @param id the broker's id, the one {@code POST /api/dead-letters/{id}/retry} takes
 * @param queue the queue it came from
 * @param task the task's name, or {@code null} when the payload did not decode that far
 * @param callId the call's id, or {@code null} likewise
 * @param errorCode the {@link dev.baton.tasks.ErrorCode} name
 * @param error the error's message
 * @param at when it was dead-lettered
 * @param bytes the size of the envelope as received
 */
record DeadLetterRow(
    String id,
    String queue,
    @Nullable String task,
    @Nullable String callId,
    String errorCode,
    String error,
    Instant at,
    int bytes) {

  static DeadLetterRow of(DeadLetter letter) {
    TaskKey key = letter.key();
    return new DeadLetterRow(
        letter.id(),
        letter.queue(),
        key == null ? null : key.name(),
        key == null ? null : key.id(),
        letter.error().code().name(),
        letter.error().message(),
        letter.at(),
        letter.body().length);
  }
}
