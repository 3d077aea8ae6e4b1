package dev.baton.amqp;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AttachedContexts;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.Subscription;
import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The caller-side memory of an {@link AmqpBackend}: the reports that arrived on its reply queue,
 * per call, and the polls that read them.
 *
 * <h2>What is kept, and for how long</h2>
 *
 * <p>A reply queue is drained as its reports arrive, so this log is the only place a report exists
 * once acknowledged; it belongs to this caller alone. Each call's reports are kept in arrival order
 * (equal to publishing order: a worker publishes the next report of a call only after the broker
 * confirmed the previous one). A call is kept:
 *
 * <ul>
 *   <li>while a poll reads it;
 *   <li>while it holds an idempotency claim made here ({@link #reserve}), until the claim's expiry,
 *       so a later caller's poll finds it even before its first report;
 *   <li>after its polls end ({@link #done} or cancellation), until its expiry: the final report's
 *       {@code expiresAt}, or before a final report the latest {@code expiresAt} seen; a purge runs
 *       every {@link #PURGE_INTERVAL} on the time source and drops unpolled calls past it;
 *   <li>at most {@code retainedCalls} <i>finished</i> calls (those whose final report arrived):
 *       when one more finishes, the one that finished first is dropped, polled or not (a poll still
 *       running keeps what it was handed; only later polls find nothing).
 * </ul>
 *
 * <p>A report identical, byte for byte, to one already in its call's log is dropped: it is a
 * redelivery (the acknowledgement was lost with the connection) or a worker's republish of the same
 * report, never a new one (every report carries the instant it was made).
 *
 * <h2>Concurrency</h2>
 *
 * <p>One lock guards the entries, the order of finished calls, every poll's pending reports and
 * drain flag, and the closed flag. Sinks are called outside it. Each poll has a serial drain:
 * whichever thread finds an idle poll with pending reports (the consumer thread appending, or the
 * polling thread replaying) becomes its drainer and calls the sink until nothing is pending; others
 * only append. So one poll's sink is never called concurrently, sees reports in log order, and may
 * call back into the log. A sink that throws is reported as a WARNING {@code REPORT_FAILURE} event
 * and the poll goes on. The purge runs on the time source's thread and never calls sinks.
 */
final class ReportLog {

  /** How often calls past their expiry are dropped. */
  static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

  private final TimeSource time;
  private final AttachedContexts events;
  private final int retainedCalls;
  private final Object lock = new Object();

  @GuardedBy("lock")
  private final Map<TaskKey, Entry> entries = new HashMap<>();

  /** Finished calls, the one that finished first first. */
  @GuardedBy("lock")
  private final LinkedHashMap<TaskKey, Entry> finished = new LinkedHashMap<>();

  @GuardedBy("lock")
  private @Nullable Scheduled purge;

  @GuardedBy("lock")
  private boolean closed;

  ReportLog(TimeSource time, AttachedContexts events, int retainedCalls) {
    this.time = requireNonNull(time, "time");
    this.events = requireNonNull(events, "events");
    if (retainedCalls < 1) {
      throw new IllegalArgumentException("retainedCalls must be at least 1, got " + retainedCalls);
    }
    this.retainedCalls = retainedCalls;
    synchronized (lock) {
      schedulePurge();
    }
  }

  /**
   * Appends {@code bytes}, the encoding of {@code report}, to its call's log and hands it to the
   * call's polls, unless the log already holds the same bytes.
   *
   * @return whether it was appended (false for a duplicate or after {@link #close})
   */
  boolean append(ReportEnvelope report, byte[] bytes) {
    List<Poll> toDrain = new ArrayList<>(1);
    synchronized (lock) {
      if (closed) {
        return false;
      }
      Entry entry = entries.computeIfAbsent(report.key(), Entry::new);
      for (byte[] stored : entry.reports) {
        if (Arrays.equals(stored, bytes)) {
          return false;
        }
      }
      entry.reports.add(bytes);
      for (Poll poll : entry.polls) {
        poll.pending.add(bytes);
        if (!poll.draining) {
          poll.draining = true;
          toDrain.add(poll);
        }
      }
      updateExpiry(entry, report);
    }
    for (Poll poll : toDrain) {
      drain(poll);
    }
    return true;
  }

  /**
   * Keeps the (possibly empty) log of {@code key} until at least {@code until}, even without polls
   * or reports: the call holds an idempotency claim, and later callers with the same key will poll
   * it, perhaps before its first report arrives.
   */
  void reserve(TaskKey key, Instant until) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      Entry entry = entries.computeIfAbsent(key, Entry::new);
      entry.reserved = true;
      Instant current = entry.expiresAt;
      if (!entry.finalStored && (current == null || until.isAfter(current))) {
        entry.expiresAt = until;
      }
    }
  }

  /** Whether a log of {@code key} is kept (reserved, polled or holding reports). */
  boolean holds(TaskKey key) {
    synchronized (lock) {
      return entries.containsKey(key);
    }
  }

  /** Whether the log of {@code key} holds its final report. */
  boolean hasFinal(TaskKey key) {
    synchronized (lock) {
      Entry entry = entries.get(key);
      return entry != null && entry.finalStored;
    }
  }

  /**
   * Replays the log of {@code key} to {@code sink} on this thread, before returning, then hands it
   * new reports as they are appended.
   *
   * @throws IllegalStateException if the log is closed
   */
  Subscription poll(TaskKey key, Consumer<byte[]> sink) {
    Poll poll;
    boolean replay;
    synchronized (lock) {
      if (closed) {
        throw AmqpBackend.closedException();
      }
      Entry entry = entries.computeIfAbsent(key, Entry::new);
      poll = new Poll(entry, sink);
      entry.polls.add(poll);
      poll.pending.addAll(entry.reports);
      replay = !poll.pending.isEmpty();
      poll.draining = replay;
    }
    if (replay) {
      drain(poll);
    }
    return poll;
  }

  /** Stops the polls of {@code key}; its reports stay until their expiry or eviction. */
  void done(TaskKey key) {
    synchronized (lock) {
      Entry entry = entries.get(key);
      if (entry == null) {
        return;
      }
      for (Poll poll : entry.polls) {
        poll.stop();
      }
      entry.polls.clear();
      dropIfUnused(entry);
    }
  }

  /** The number of calls held, for tests. */
  int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  /** Stops every poll and drops every report. Idempotent. */
  void close() {
    Scheduled timer;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      for (Entry entry : entries.values()) {
        for (Poll poll : entry.polls) {
          poll.stop();
        }
        entry.polls.clear();
      }
      entries.clear();
      finished.clear();
      timer = purge;
      purge = null;
    }
    if (timer != null) {
      timer.cancel();
    }
  }

  /**
   * Moves the entry's expiry (a final report sets it to its own {@code expiresAt}; before one, the
   * latest seen counts), and on the call's final report counts it among the finished calls,
   * evicting the one that finished first when there are more than the cap.
   */
  @GuardedBy("lock")
  private void updateExpiry(Entry entry, ReportEnvelope report) {
    Instant expiresAt = report.expiresAt();
    Instant current = entry.expiresAt;
    if (report.status().isFinal()) {
      entry.expiresAt = entry.finalStored && current != null ? current : expiresAt;
      if (!entry.finalStored) {
        entry.finalStored = true;
        finished.put(entry.key, entry);
        evictBeyondCap();
      }
    } else if (!entry.finalStored && (current == null || expiresAt.isAfter(current))) {
      entry.expiresAt = expiresAt;
    }
  }

  @GuardedBy("lock")
  private void evictBeyondCap() {
    Iterator<Entry> oldest = finished.values().iterator();
    while (finished.size() > retainedCalls && oldest.hasNext()) {
      Entry entry = oldest.next();
      oldest.remove();
      if (entries.get(entry.key) == entry) {
        entries.remove(entry.key);
      }
      // Its polls (if any) keep what they were handed; they are detached from the log.
      entry.polls.clear();
    }
  }

  /** Removes an entry that holds nothing: no reports, no polls and no reservation. */
  @GuardedBy("lock")
  private void dropIfUnused(Entry entry) {
    if (entry.reports.isEmpty()
        && entry.polls.isEmpty()
        && !entry.reserved
        && entries.get(entry.key) == entry) {
      entries.remove(entry.key);
    }
  }

  @GuardedBy("lock")
  private void schedulePurge() {
    try {
      purge = time.schedule(PURGE_INTERVAL, this::purgeExpired);
    } catch (IllegalStateException e) {
      purge = null; // the time source is closed: the node is going down, nothing will expire
    }
  }

  /** Drops unpolled calls past their expiry, then schedules the next purge. */
  private void purgeExpired() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      Instant now = time.now();
      Iterator<Entry> all = entries.values().iterator();
      while (all.hasNext()) {
        Entry entry = all.next();
        Instant expiresAt = entry.expiresAt;
        if (entry.polls.isEmpty() && expiresAt != null && !now.isBefore(expiresAt)) {
          all.remove();
          if (entry.finalStored) {
            finished.remove(entry.key, entry);
          }
        }
      }
      schedulePurge();
    }
  }

  private void cancel(Poll poll) {
    synchronized (lock) {
      if (poll.stopped) {
        return;
      }
      poll.stop();
      Entry entry = poll.entry;
      entry.polls.remove(poll);
      dropIfUnused(entry);
    }
  }

  /** Calls the poll's sink with its pending reports until none is left; this thread drains. */
  private void drain(Poll poll) {
    while (true) {
      byte[] next;
      synchronized (lock) {
        next = poll.stopped ? null : poll.pending.pollFirst();
        if (next == null) {
          poll.draining = false;
          return;
        }
      }
      try {
        poll.sink.accept(next);
      } catch (RuntimeException e) {
        events.emit(
            EventLevel.WARNING,
            EventCode.REPORT_FAILURE,
            "a report sink of " + poll.entry.key + " threw; its poll goes on",
            poll.entry.key,
            e);
      }
    }
  }

  /** One call's reports and polls. Every mutable field is guarded by the log's lock. */
  private static final class Entry {
    final TaskKey key;
    final List<byte[]> reports = new ArrayList<>(3);
    final List<Poll> polls = new ArrayList<>(1);
    boolean finalStored;
    boolean reserved;
    @Nullable Instant expiresAt;

    Entry(TaskKey key) {
      this.key = key;
    }
  }

  /** One poll. {@code pending}, {@code draining}, {@code stopped}: the log's lock. */
  private final class Poll implements Subscription {
    final Entry entry;
    final Consumer<byte[]> sink;
    final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    boolean draining;
    boolean stopped;

    Poll(Entry entry, Consumer<byte[]> sink) {
      this.entry = entry;
      this.sink = sink;
    }

    void stop() {
      stopped = true;
      pending.clear();
    }

    @Override
    public void cancel() {
      ReportLog.this.cancel(this);
    }
  }
}
