package dev.baton.tasks.spi;

import dev.baton.tasks.TaskKey;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** Reads reports back for callers (the seed's Store). Thread-safe. */
public interface ReportStore extends TaskAdapter {

  /**
   * Streams every report of {@code key} to {@code sink}, encoded, in the order they were stored:
   * first those stored before the poll, then new ones, until the subscription is cancelled or
   * {@link #done} is called. {@code sink} is called from one thread at a time and must not block.
   */
  Subscription poll(TaskKey key, Consumer<byte[]> sink);

  /**
   * Where workers must send the reports of calls this store polls, for backends that route reports
   * to the caller (a reply queue per caller); the caller puts it in {@link TaskEnvelope#replyTo()}.
   * {@code null}, the default, for backends that keep reports under their key, where any caller can
   * poll them.
   */
  default @Nullable String replyAddress() {
    return null;
  }

  /**
   * The caller has the final report of {@code key}: stop its polls and free what they hold. The
   * stored reports stay until their expiry, for callers that share an idempotency key.
   */
  void done(TaskKey key);

  /**
   * Claims {@code idempotencyKey}, scoped to {@code taskName}, for the call {@code candidateId},
   * for {@code ttl}. Returns the id of the call that holds the key: {@code candidateId} if this
   * claim won, else the earlier call's id, whose reports the caller then polls instead of sending.
   */
  String claimIdempotencyKey(
      String taskName, String idempotencyKey, String candidateId, Duration ttl);
}
