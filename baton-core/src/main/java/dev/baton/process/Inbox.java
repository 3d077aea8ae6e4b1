package dev.baton.process;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.dispatch.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A process's incoming side, under one lock: the events queued for it (completions and messages),
 * the yields it is still waiting for, and its mailbox bound.
 *
 * <p>Every method that can make the process runnable returns whether its owner must wake it; the
 * owner (a step cell or a coroutine) knows how. Recording each pending yield is what lets the inbox
 * drop, and release the command of, a second completion of a tag, a completion after the yield's
 * deadline, and a completion after the process ended. Pending entries outlive the process so that a
 * late completion still releases its command.
 *
 * <p>Thread-safe: completions arrive from handler threads, messages from senders, deadlines from
 * the timer thread, while the owner drains.
 */
final class Inbox {
  /** The inbox itself: it is never handed out, so nothing else can hold its monitor. */
  private final Object lock = this;

  @GuardedBy("lock")
  private EventBatch incoming = new EventBatch();

  /** Messages offered and not yet consumed, drained or not: what the mailbox bound counts. */
  @GuardedBy("lock")
  private int queuedMessages;

  @GuardedBy("lock")
  private boolean closed;

  @GuardedBy("lock")
  private final PendingYields pending = new PendingYields();

  /**
   * Records that {@code command} was yielded under {@code tag}. If the tag is still pending, queues
   * a {@link TagInUseException} completion for it instead, releases the command, and returns false:
   * the command must not be dispatched.
   */
  boolean register(long tag, Command<?> command) {
    synchronized (lock) {
      if (pending.find(tag) < 0) {
        pending.add(tag, command);
        return true;
      }
      incoming.events.add(new Event.Completion(tag, null, new TagInUseException(tag)));
    }
    EventBatch.release(command);
    return false;
  }

  /**
   * Attaches {@code tag}'s deadline (its timer and its context), so a completion in time settles
   * it.
   */
  void armDeadline(long tag, DeadlineYield deadline) {
    boolean ended;
    synchronized (lock) {
      int slot = pending.find(tag);
      if (slot >= 0 && !pending.isTimedOut(slot) && !closed) {
        pending.setDeadline(slot, deadline);
        return;
      }
      ended = closed;
    }
    if (ended) {
      deadline.cancelTimer(); // the process's cancellation reaches the work
    } else {
      deadline.settle(); // completed already, or timed out (and expired by its timer)
    }
  }

  /** Queues the completion of {@code tag}; returns whether the owner must wake the process. */
  boolean complete(long tag, @Nullable Object result, @Nullable Throwable error) {
    Command<?> dropped = null;
    DeadlineYield deadline = null;
    synchronized (lock) {
      int slot = pending.find(tag);
      if (slot < 0) {
        return false; // never yielded, or already completed: a second completion is ignored
      }
      Command<?> command = pending.command(slot);
      if (closed || pending.isTimedOut(slot)) {
        dropped = command; // the process ended or stopped waiting: release and forget
      } else {
        deadline = pending.deadline(slot);
        incoming.events.add(new Event.Completion(tag, result, error));
        incoming.completedCommands.add(command);
      }
      pending.removeAt(slot);
    }
    if (deadline != null) {
      deadline.settle();
    }
    if (dropped != null) {
      EventBatch.release(dropped);
      return false;
    }
    return true;
  }

  /**
   * Marks the yield of {@code tag} timed out if it is still pending, so its completion, whenever it
   * comes, is dropped; the timeout itself is queued by {@link #queueTimeout}, after the handler's
   * cancellation has run.
   *
   * @return whether it was pending (and the caller must cancel its work, then queue the timeout)
   */
  boolean markDeadlinePassed(long tag) {
    synchronized (lock) {
      int slot = pending.find(tag);
      if (closed || slot < 0 || pending.isTimedOut(slot)) {
        return false;
      }
      pending.markTimedOut(slot);
      return true;
    }
  }

  /**
   * Queues the timeout of {@code tag}, marked by {@link #markDeadlinePassed}, unless the process
   * has ended; returns whether to wake it.
   */
  boolean queueTimeout(long tag, Duration deadline) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      incoming.events.add(
          new Event.Completion(tag, null, new YieldTimeoutException(tag, deadline)));
      return true;
    }
  }

  /**
   * Queues {@code message} unless the process has ended.
   *
   * @return whether it was queued (and the owner must wake the process)
   * @throws MailboxFullException if {@code capacity} messages are already waiting
   */
  boolean offerMessage(Message message, int capacity, Pid pid) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      if (queuedMessages >= capacity) {
        throw new MailboxFullException(pid, capacity);
      }
      incoming.events.add(message);
      incoming.messages++;
      queuedMessages++;
      return true;
    }
  }

  /** Returns whether events are waiting to be drained. */
  boolean hasEvents() {
    synchronized (lock) {
      return !incoming.events.isEmpty();
    }
  }

  /**
   * Hands over the queued events: returns the batch that was filling and keeps {@code spare} (which
   * must be empty) to fill next.
   */
  EventBatch drain(EventBatch spare) {
    synchronized (lock) {
      EventBatch full = incoming;
      incoming = spare;
      return full;
    }
  }

  /** The owner has consumed {@code count} drained messages: they no longer count as waiting. */
  void messagesConsumed(int count) {
    if (count > 0) {
      synchronized (lock) {
        queuedMessages -= count;
      }
    }
  }

  /** Closes the inbox when the process ends: refuses new events, cancels deadlines. */
  void close() {
    List<Command<?>> toRelease;
    synchronized (lock) {
      closed = true;
      toRelease = new ArrayList<>(incoming.completedCommands);
      incoming.events.clear();
      incoming.completedCommands.clear();
      pending.cancelDeadlines(); // pending entries stay: their late completions release them
    }
    toRelease.forEach(EventBatch::release);
  }
}
