package dev.baton.tasks.spi;

import dev.baton.tasks.TaskKey;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** Sends tasks to a broker (the seed's Producer). Thread-safe. */
public interface TaskProducer extends TaskAdapter {

  /**
   * Declares a queue (the seed's DeclareTask hook), so tasks sent to it before any worker listens
   * are kept. Called for each registered task name and each queue a call routes to. Idempotent.
   */
  void declare(String queue);

  /**
   * Sends a task to {@link TaskEnvelope#queue()}. The stage completes when the broker has accepted
   * the task durably (publisher confirm, a write acknowledged by the server), and fails otherwise.
   * A task whose {@link TaskEnvelope#eta()} is in the future is kept in the broker and delivered no
   * sooner than then; within a queue a higher {@link TaskEnvelope#priority()} is delivered first.
   */
  CompletionStage<Void> send(TaskEnvelope task);

  /**
   * Records that {@code key} is revoked until {@code until} (after which the record may be
   * forgotten). Consumers report a revoked task instead of running it. Durable where the broker is.
   */
  CompletionStage<Void> revoke(TaskKey key, Instant until);
}
