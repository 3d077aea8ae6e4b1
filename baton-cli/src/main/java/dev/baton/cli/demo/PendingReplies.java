package dev.baton.cli.demo;

import dev.baton.dispatch.ResultReceiver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ResultReceiver} for a caller that is not a process: hands out tags and turns each tag's
 * completion into a future. The first completion of a tag settles its future; a later one finds no
 * one waiting and is dropped, as the process runtime drops it.
 */
final class PendingReplies implements ResultReceiver {
  /** A tag handed out and the future its completion settles. */
  record Pending(long tag, CompletableFuture<@Nullable Object> reply) {}

  private final AtomicLong lastTag = new AtomicLong();
  private final ConcurrentHashMap<Long, CompletableFuture<@Nullable Object>> waiting =
      new ConcurrentHashMap<>();

  /** Allocates the next tag, counting from 1, and starts waiting for its completion. */
  Pending next() {
    Pending pending = new Pending(lastTag.incrementAndGet(), new CompletableFuture<>());
    waiting.put(pending.tag(), pending.reply());
    return pending;
  }

  @Override
  public void completeYield(long tag, @Nullable Object result, @Nullable Throwable error) {
    CompletableFuture<@Nullable Object> reply = waiting.remove(tag);
    if (reply == null) {
      return;
    }
    if (error != null) {
      reply.completeExceptionally(error);
    } else {
      reply.complete(result);
    }
  }
}
