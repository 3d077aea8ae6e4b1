package dev.baton.tasks.spi;

import dev.baton.tasks.TaskError;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * One task handed to a consumer, held under a lease until settled.
 *
 * <p>A delivery is settled exactly once, by {@link #ack()}, {@link #release()}, {@link #requeue} or
 * {@link #deadLetter}; the adapter ignores (and may report) a second settlement. One that is not
 * settled before {@link #leaseExpiresAt()} is delivered again, possibly to another consumer, with
 * {@link #deliveryCount()} one higher: this is what makes delivery at-least-once when a worker dies
 * mid-task. Long tasks keep their lease with {@link #renewLease}.
 */
public interface Delivery {

  /** The encoded {@link TaskEnvelope}, as it came from the broker (it may not decode). */
  byte[] body();

  /** The queue it came from. */
  String queue();

  /**
   * 1 for the first delivery of this message, one more for each redelivery (after a {@link
   * #release()} or a lease that ran out). {@link #requeue} starts a new message at 1.
   */
  int deliveryCount();

  /** When the broker will deliver it again unless it is settled or renewed. */
  Instant leaseExpiresAt();

  /** The task is finished (its final report is stored): remove it. */
  CompletionStage<Void> ack();

  /** Gives the task back to its queue at once, for any consumer. */
  CompletionStage<Void> release();

  /**
   * Replaces this task with {@code next} (its next attempt), delivered no sooner than {@link
   * TaskEnvelope#eta()}. The new task is stored before this one is removed, so a crash between the
   * two repeats an attempt rather than losing the task.
   */
  CompletionStage<Void> requeue(TaskEnvelope next);

  /**
   * Moves the task to the dead-letter queue with {@code error}, for inspection, retry or discard.
   */
  CompletionStage<Void> deadLetter(TaskError error);

  /** Extends the lease to {@code extension} from now. */
  CompletionStage<Void> renewLease(Duration extension);
}
