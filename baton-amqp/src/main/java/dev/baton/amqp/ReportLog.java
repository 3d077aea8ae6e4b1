package dev.baton.amqp;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.ReportStatus;
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
 *   <li>at most {@code retainedCalls} calls once <i>finished</i> (final report received): when one
 *       more finishes, the unpinned one that finished first is dropped, polled or not (a poll still
 *       running keeps what it was handed; only later polls find nothing);
 *   <li>after {@link #done}, a call that holds no claim is kept only among the {@value
 *       #RECENTLY_DONE} calls done last (so a poll right after done still replays it); in a
 *       per-caller backend nothing else can poll it again. Older ones keep a key-only tombstone (at
 *       most {@code retainedCalls} of them): late copies of their reports are dropped instead of
 *       filling memory;
 *   <li>a call whose polls were cancelled without done, until its expiry: the final report's {@code
 *       expiresAt}, or before a final report the latest {@code expiresAt} seen; a purge runs every
 *       {@link #PURGE_INTERVAL} on the time source and drops unpolled calls past it;
 *   <li>a call {@linkplain #pin pinned} by a claimant that found it held is neither evicted nor
 *       purged until a poll attaches or {@link #PIN} has passed, so the claimant's poll finds it.
 * </ul>
 *
 * <p>A report identical, byte for byte, to one already in its call's log is dropped: it is a
 * redelivery (the acknowledgement was lost with the connection) or a worker's republish of the same
 * report, never a new one (every report carries the instant it was made). Only reports with the
 * same status, attempt and instant are compared, so a call with many progress reports costs one
 * hash lookup per report.
 *
 * <h2>Concurrency</h2>
 *
 * <p>One lock guards the entries, the order of finished and done calls, the tombstones, every
 * poll's pending reports and drain flag, and the closed flag. Sinks are called outside it. Each
 * poll has a serial drain: whichever thread finds an idle poll with pending reports (the consumer
 * thread appending, or the polling thread replaying) becomes its drainer and calls the sink until
 * nothing is pending; others only append. So one poll's sink is never called concurrently, sees
 * reports in log order, and may call back into the log. A sink that throws anything is reported as
 * a WARNING {@code REPORT_FAILURE} event and the poll goes on. The purge runs on the time source's
 * thread and never calls sinks.
 */
final class ReportLog {

  /** How often calls past their expiry are dropped. */
  static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

  /** How many calls without a claim are kept after {@link #done}, the last done first. */
  static final int RECENTLY_DONE = 64;

  /** How long a {@link #pin} keeps a call when no poll attaches. */
  static final Duration PIN = Duration.ofMinutes(2);

  /** How long the bytes of a report that does not decode are kept when nothing else says. */
  static final Duration UNDECODABLE_EXPIRY = Duration.ofDays(1);

  private final TimeSource time;
  private final AttachedContexts events;
  private final int retainedCalls;
  private final Object lock = new Object();

  @GuardedBy("lock")
  private final Map<TaskKey, Entry> entries = new HashMap<>();

  /** Finished calls that hold a claim made here, the one that finished first first. */
  @GuardedBy("lock")
  private final LinkedHashMap<TaskKey, Entry> finished = new LinkedHashMap<>();

  /** Calls without a claim whose polls are done, the one done first first. */
  @GuardedBy("lock")
  private final LinkedHashMap<TaskKey, Entry> recentlyDone = new LinkedHashMap<>();

  /** Keys of calls dropped after done or eviction, the oldest first. */
  @GuardedBy("lock")
  private final LinkedHashMap<TaskKey, Boolean> tombstones = new LinkedHashMap<>();

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
   * Appends {@code bytes}, the encoding of {@code report} received from the reply queue, to its
   * call's log and hands it to the call's polls, unless the log already holds the same bytes or the
   * call was dropped (a late copy).
   *
   * @return whether it was appended (false for a duplicate, a dropped call, or after {@link
   *     #close})
   */
  boolean append(ReportEnvelope report, byte[] bytes) {
    return add(
        report.key(),
        new Signature(report.status(), report.attempt(), report.at(), 0),
        bytes,
        report,
        false);
  }

  /**
   * Appends a report made by this caller (a FAIL standing in for reports it will never receive),
   * even to a call that was dropped.
   */
  boolean inject(ReportEnvelope report, byte[] bytes) {
    return add(
        report.key(),
        new Signature(report.status(), report.attempt(), report.at(), 0),
        bytes,
        report,
        true);
  }

  /**
   * Appends the bytes of a report whose key could be read but which does not decode here (larger
   * than the default limit is fine; a newer format, say): the engine's own decode then fails the
   * call clearly instead of leaving it waiting.
   */
  boolean appendUndecodable(TaskKey key, byte[] bytes) {
    return add(key, new Signature(null, 0, null, Arrays.hashCode(bytes)), bytes, null, false);
  }

  private boolean add(
      TaskKey key,
      Signature signature,
      byte[] bytes,
      @Nullable ReportEnvelope report,
      boolean evenIfDropped) {
    List<Poll> toDrain = new ArrayList<>(1);
    synchronized (lock) {
      if (closed) {
        return false;
      }
      Entry entry = entries.get(key);
      if (entry == null) {
        if (tombstones.containsKey(key) && !evenIfDropped) {
          return false;
        }
        tombstones.remove(key);
        entry = new Entry(key);
        entries.put(key, entry);
      }
      List<byte[]> same = entry.seen.computeIfAbsent(signature, _ -> new ArrayList<>(1));
      for (byte[] stored : same) {
        if (Arrays.equals(stored, bytes)) {
          return false;
        }
      }
      same.add(bytes);
      entry.reports.add(bytes);
      for (Poll poll : entry.polls) {
        poll.pending.add(bytes);
        if (!poll.draining) {
          poll.draining = true;
          toDrain.add(poll);
        }
      }
      if (report != null) {
        updateExpiry(entry, report);
      } else if (entry.expiresAt == null) {
        entry.expiresAt = time.now().plus(UNDECODABLE_EXPIRY);
      }
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
      tombstones.remove(key);
      Entry entry = entries.computeIfAbsent(key, Entry::new);
      entry.reserved = true;
      recentlyDone.remove(key, entry);
      Instant current = entry.expiresAt;
      if (!entry.finalStored && (current == null || until.isAfter(current))) {
        entry.expiresAt = until;
      }
    }
  }

  /** Undoes {@link #reserve} of a call that did not win its claim. */
  void unreserve(TaskKey key) {
    synchronized (lock) {
      Entry entry = entries.get(key);
      if (entry != null) {
        entry.reserved = false;
        dropIfUnused(entry);
      }
    }
  }

  /**
   * If a log of {@code key} is kept, keeps it (not evicted, not purged) until a poll attaches or
   * {@link #PIN} has passed, and returns true; false if none is kept. The check and the pin are one
   * step, so a claimant that found the call held here polls it before it can be dropped.
   */
  boolean pin(TaskKey key) {
    synchronized (lock) {
      Entry entry = entries.get(key);
      if (entry == null) {
        return false;
      }
      entry.pinnedUntil = time.now().plus(PIN);
      return true;
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

  /** The calls without their final report that polls are waiting for. */
  List<TaskKey> awaitedUnfinished() {
    synchronized (lock) {
      List<TaskKey> awaited = new ArrayList<>();
      for (Entry entry : entries.values()) {
        if (!entry.finalStored && !entry.polls.isEmpty()) {
          awaited.add(entry.key);
        }
      }
      return awaited;
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
      tombstones.remove(key); // polled again: its reports are awaited after all
      Entry entry = entries.computeIfAbsent(key, Entry::new);
      recentlyDone.remove(key, entry);
      entry.pinnedUntil = null;
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

  /**
   * Stops the polls of {@code key}. A call holding a claim made here stays until its expiry or
   * eviction; any other is kept among the {@value #RECENTLY_DONE} calls done last, then dropped.
   */
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
      if (entry.reserved) {
        dropIfUnused(entry);
        return;
      }
      recentlyDone.remove(key);
      recentlyDone.put(key, entry);
      Instant now = time.now();
      Iterator<Entry> oldest = recentlyDone.values().iterator();
      while (recentlyDone.size() > RECENTLY_DONE && oldest.hasNext()) {
        Entry candidate = oldest.next();
        if (candidate.pinned(now)) {
          continue;
        }
        oldest.remove();
        if (candidate.polls.isEmpty() && !candidate.reserved) {
          drop(candidate);
        }
      }
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
      recentlyDone.clear();
      tombstones.clear();
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
    Instant now = time.now();
    Iterator<Entry> oldest = finished.values().iterator();
    while (finished.size() > retainedCalls && oldest.hasNext()) {
      Entry entry = oldest.next();
      if (entry.pinned(now)) {
        continue; // a claimant found it held and is about to poll it
      }
      oldest.remove();
      drop(entry);
      // Its polls (if any) keep what they were handed; they are detached from the log.
      entry.polls.clear();
    }
  }

  /** Removes the entry, leaving a key-only tombstone so late copies of its reports are dropped. */
  @GuardedBy("lock")
  private void drop(Entry entry) {
    if (entries.get(entry.key) == entry) {
      entries.remove(entry.key);
    }
    finished.remove(entry.key, entry);
    recentlyDone.remove(entry.key, entry);
    tombstones.put(entry.key, Boolean.TRUE);
    Iterator<TaskKey> oldest = tombstones.keySet().iterator();
    while (tombstones.size() > retainedCalls && oldest.hasNext()) {
      oldest.next();
      oldest.remove();
    }
  }

  /** Removes an entry that holds nothing: no reports, no polls, no reservation and no pin. */
  @GuardedBy("lock")
  private void dropIfUnused(Entry entry) {
    if (entry.reports.isEmpty()
        && entry.polls.isEmpty()
        && !entry.reserved
        && !entry.pinned(time.now())
        && entries.get(entry.key) == entry) {
      entries.remove(entry.key);
      recentlyDone.remove(entry.key, entry);
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

  /** Drops unpolled, unpinned calls past their expiry, then schedules the next purge. */
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
        if (entry.polls.isEmpty()
            && !entry.pinned(now)
            && expiresAt != null
            && !now.isBefore(expiresAt)) {
          all.remove();
          finished.remove(entry.key, entry);
          recentlyDone.remove(entry.key, entry);
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
      } catch (Throwable e) { // an Error too: the drain flag must be cleared, and the poll go on
        events.emit(
            EventLevel.WARNING,
            EventCode.REPORT_FAILURE,
            "a report sink of " + poll.entry.key + " threw; its poll goes on",
            poll.entry.key,
            e);
      }
    }
  }

  /**
   * What two identical reports share, so duplicates are looked for among few: status, attempt and
   * instant of a decoded report, or the hash of the bytes of one that does not decode.
   */
  private record Signature(
      @Nullable ReportStatus status, int attempt, @Nullable Instant at, int bytesHash) {}

  /** One call's reports and polls. Every mutable field is guarded by the log's lock. */
  private static final class Entry {
    final TaskKey key;
    final List<byte[]> reports = new ArrayList<>(3);
    final Map<Signature, List<byte[]>> seen = new HashMap<>(4);
    final List<Poll> polls = new ArrayList<>(1);
    boolean finalStored;
    boolean reserved;
    @Nullable Instant expiresAt;
    @Nullable Instant pinnedUntil;

    Entry(TaskKey key) {
      this.key = key;
    }

    boolean pinned(Instant now) {
      Instant until = pinnedUntil;
      return until != null && polls.isEmpty() && now.isBefore(until);
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
