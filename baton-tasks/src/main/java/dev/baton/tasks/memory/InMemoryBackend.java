package dev.baton.tasks.memory;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.ReportPublisher;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.tasks.spi.Subscription;
import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory result backend: reports per call, stored as the bytes {@link EnvelopeCodec} encodes,
 * streamed to polls in order, and idempotency claims; for tests and embedded use (the seed's local
 * backend).
 *
 * <h2>Semantics</h2>
 *
 * <ul>
 *   <li>{@link #publish} stores the encoded report under its {@link TaskKey} (name and id, so equal
 *       ids of different names stay apart) and returns a completed stage;
 *   <li>{@link #poll} replays the key's stored reports in the order they were published, then
 *       passes on new ones as they are published, until cancelled, {@link #done} or expiry. Reports
 *       published before anyone polls are kept;
 *   <li>a key's reports are dropped once its final report's {@link ReportEnvelope#expiresAt()} has
 *       passed on the time source (before a final report, once the latest {@code expiresAt} seen
 *       has passed); {@link #done} stops the key's polls but keeps its reports until then, so a
 *       later poll (a second caller with the same idempotency key) replays them. A key that has
 *       polls but no reports yet is kept until its polls are cancelled or it is done;
 *   <li>{@link #claimIdempotencyKey} is atomic: of concurrent claims of one (name, key) exactly one
 *       wins, and later claims get the winner's id until the claim's time to live has passed.
 * </ul>
 *
 * <h2>Concurrency</h2>
 *
 * <p>One lock guards the entries, every poll's pending reports and drain flag, the claims and the
 * closed flag. Sinks are called outside the lock. Each poll has a serial drain: whichever thread
 * adds reports to an idle poll's pending queue (the publisher, or the poller while replaying)
 * becomes its drainer and calls the sink until the queue is empty; others only append. So one
 * poll's sink is never called concurrently, sees reports in storage order, and may call back into
 * the backend (even publish for the same key: the report is appended and delivered after the sink
 * returns). A sink that throws is reported as a WARNING {@code REPORT_FAILURE} event and the poll
 * goes on. Expiry timers run on the {@link TimeSource}'s thread.
 *
 * <h2>Failure</h2>
 *
 * <p>After {@link #close()} (idempotent: cancels every poll and timer and drops what is stored)
 * {@link #publish} returns a stage failed with {@link IllegalStateException} ("backend is closed"),
 * and {@link #poll} and {@link #claimIdempotencyKey} throw it; {@link #done} does nothing.
 *
 * <p>Thread-safe.
 */
public final class InMemoryBackend implements ReportPublisher, ReportStore {
  private final TimeSource time;
  private final AdapterEvents events = new AdapterEvents();
  private final ReentrantLock lock = new ReentrantLock();

  @GuardedBy("lock")
  private final Map<TaskKey, Entry> entries = new HashMap<>();

  @GuardedBy("lock")
  private final Map<ClaimKey, Claim> claims = new HashMap<>();

  @GuardedBy("lock")
  private boolean closed;

  /** A backend whose expiry follows {@code time}. */
  public InMemoryBackend(TimeSource time) {
    this.time = requireNonNull(time, "time");
  }

  @Override
  public void attach(AdapterContext context) {
    events.attach(context);
  }

  @Override
  public void detach(AdapterContext context) {
    events.detach(context);
  }

  /**
   * Stores {@code report} and passes it to the key's polls; returns a completed stage, or one
   * failed with {@link IllegalStateException} if the backend is closed or with {@link
   * IllegalArgumentException} if the report's version is not {@link EnvelopeCodec#VERSION}.
   */
  @Override
  public CompletionStage<Void> publish(ReportEnvelope report, @Nullable String replyTo) {
    // This backend keeps reports under their key, so it needs no reply address.
    requireNonNull(report, "report");
    byte[] bytes;
    try {
      bytes = EnvelopeCodec.encode(report);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedStage(e);
    }
    List<Poll> toDrain = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedStage(closedException());
      }
      TaskKey key = report.key();
      Entry entry = entries.computeIfAbsent(key, Entry::new);
      entry.reports.add(bytes);
      for (Poll poll : entry.polls) {
        poll.pending.add(bytes);
        if (!poll.draining) {
          poll.draining = true;
          toDrain.add(poll);
        }
      }
      updateExpiry(entry, report);
    } finally {
      lock.unlock();
    }
    for (Poll poll : toDrain) {
      drain(poll);
    }
    return CompletableFuture.completedStage(null);
  }

  /**
   * Streams the reports of {@code key} to {@code sink}: the stored ones at once, on this thread,
   * before this method returns, then new ones on the publishers' threads.
   *
   * @throws IllegalStateException if the backend is closed
   */
  @Override
  public Subscription poll(TaskKey key, Consumer<byte[]> sink) {
    requireNonNull(key, "key");
    requireNonNull(sink, "sink");
    Poll poll;
    boolean replay;
    lock.lock();
    try {
      if (closed) {
        throw closedException();
      }
      Entry entry = entries.computeIfAbsent(key, Entry::new);
      poll = new Poll(entry, sink);
      entry.polls.add(poll);
      poll.pending.addAll(entry.reports);
      replay = !poll.pending.isEmpty();
      poll.draining = replay;
    } finally {
      lock.unlock();
    }
    if (replay) {
      drain(poll);
    }
    return poll;
  }

  /** Stops the polls of {@code key}; its reports stay until they expire. */
  @Override
  public void done(TaskKey key) {
    requireNonNull(key, "key");
    lock.lock();
    try {
      Entry entry = entries.get(key);
      if (entry == null) {
        return;
      }
      for (Poll poll : entry.polls) {
        poll.stop();
      }
      entry.polls.clear();
      dropIfUnused(entry);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Claims {@code idempotencyKey} of {@code taskName} for {@code candidateId} unless a claim that
   * has not expired holds it.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive
   * @throws IllegalStateException if the backend is closed
   */
  @Override
  public String claimIdempotencyKey(
      String taskName, String idempotencyKey, String candidateId, Duration ttl) {
    ClaimKey claimKey = new ClaimKey(taskName, idempotencyKey);
    requireNonNull(candidateId, "candidateId");
    BrokerEngine.positive(ttl, "ttl");
    Scheduled replaced = null;
    lock.lock();
    try {
      if (closed) {
        throw closedException();
      }
      Instant now = time.now();
      Claim existing = claims.get(claimKey);
      if (existing != null && now.isBefore(existing.expiresAt)) {
        return existing.callId;
      }
      if (existing != null) {
        replaced = existing.timer;
      }
      Claim claim = new Claim(candidateId, Times.plus(now, ttl));
      claim.timer = time.schedule(ttl, () -> forgetClaim(claimKey, claim));
      claims.put(claimKey, claim);
      return candidateId;
    } finally {
      lock.unlock();
      if (replaced != null) {
        replaced.cancel();
      }
    }
  }

  /** Cancels every poll and timer and drops what is stored. Idempotent. */
  @Override
  public void close() {
    List<Scheduled> timers = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (Entry entry : entries.values()) {
        for (Poll poll : entry.polls) {
          poll.stop();
        }
        entry.polls.clear();
        if (entry.timer != null) {
          timers.add(entry.timer);
        }
      }
      for (Claim claim : claims.values()) {
        if (claim.timer != null) {
          timers.add(claim.timer);
        }
      }
      entries.clear();
      claims.clear();
    } finally {
      lock.unlock();
    }
    for (Scheduled timer : timers) {
      timer.cancel();
    }
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("backend is closed");
  }

  /**
   * Moves the entry's expiry: a final report sets it to its own {@code expiresAt}; before one, the
   * latest {@code expiresAt} seen counts. A timer is armed once; when it fires early (the expiry
   * moved later) it re-arms for the rest.
   */
  @GuardedBy("lock")
  private void updateExpiry(Entry entry, ReportEnvelope report) {
    Instant expiresAt = report.expiresAt();
    Instant current = entry.expiresAt;
    if (report.status().isFinal()) {
      entry.finalStored = true;
      entry.expiresAt = expiresAt;
    } else if (!entry.finalStored && (current == null || expiresAt.isAfter(current))) {
      entry.expiresAt = expiresAt;
    }
    Instant armedFor = entry.timerDue;
    Instant target = requireNonNull(entry.expiresAt);
    if (armedFor == null || target.isBefore(armedFor)) {
      Scheduled previous = entry.timer;
      try {
        arm(entry, target);
      } catch (IllegalStateException e) {
        return; // the time source is closed: the node is going down, nothing will expire
      }
      if (previous != null) {
        previous.cancel();
      }
    }
  }

  @GuardedBy("lock")
  private void arm(Entry entry, Instant due) {
    Duration delay = Duration.between(time.now(), due);
    entry.timer = time.schedule(delay, () -> expire(entry));
    entry.timerDue = due;
  }

  private void expire(Entry entry) {
    List<Scheduled> toCancel = new ArrayList<>();
    lock.lock();
    try {
      if (closed || entries.get(entry.key) != entry) {
        return;
      }
      Instant expiresAt = requireNonNull(entry.expiresAt);
      if (time.now().isBefore(expiresAt)) {
        arm(entry, expiresAt); // the expiry moved later since this timer was armed
        return;
      }
      entries.remove(entry.key);
      for (Poll poll : entry.polls) {
        poll.stop();
      }
      entry.polls.clear();
      if (entry.timer != null) {
        toCancel.add(entry.timer);
      }
    } catch (IllegalStateException e) { // the time source is closed: nothing more will expire
      return;
    } finally {
      lock.unlock();
    }
    for (Scheduled timer : toCancel) {
      timer.cancel();
    }
  }

  /** Removes an entry that holds nothing: no reports and no polls. */
  @GuardedBy("lock")
  private void dropIfUnused(Entry entry) {
    if (entry.reports.isEmpty() && entry.polls.isEmpty() && entries.get(entry.key) == entry) {
      entries.remove(entry.key);
    }
  }

  private void forgetClaim(ClaimKey claimKey, Claim claim) {
    lock.lock();
    try {
      claims.remove(claimKey, claim);
    } finally {
      lock.unlock();
    }
  }

  private void cancel(Poll poll) {
    lock.lock();
    try {
      if (poll.stopped) {
        return;
      }
      poll.stop();
      Entry entry = poll.entry;
      entry.polls.remove(poll);
      dropIfUnused(entry);
    } finally {
      lock.unlock();
    }
  }

  /** Calls the poll's sink with its pending reports until none is left; this thread drains. */
  private void drain(Poll poll) {
    while (true) {
      byte[] next;
      lock.lock();
      try {
        next = poll.stopped ? null : poll.pending.pollFirst();
        if (next == null) {
          poll.draining = false;
          return;
        }
      } finally {
        lock.unlock();
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

  private record ClaimKey(String taskName, String idempotencyKey) {
    ClaimKey {
      requireNonNull(taskName, "taskName");
      requireNonNull(idempotencyKey, "idempotencyKey");
    }
  }

  /** An idempotency claim. {@code timer} is guarded by the backend's lock. */
  private static final class Claim {
    final String callId;
    final Instant expiresAt;
    @Nullable Scheduled timer;

    Claim(String callId, Instant expiresAt) {
      this.callId = callId;
      this.expiresAt = expiresAt;
    }
  }

  /** One key's reports and polls. Every mutable field is guarded by the backend's lock. */
  private static final class Entry {
    final TaskKey key;
    final List<byte[]> reports = new ArrayList<>(4);
    final List<Poll> polls = new ArrayList<>(1);
    boolean finalStored;
    @Nullable Instant expiresAt;
    @Nullable Instant timerDue;
    @Nullable Scheduled timer;

    Entry(TaskKey key) {
      this.key = key;
    }
  }

  /** One poll. {@code pending}, {@code draining}, {@code stopped}: the backend's lock. */
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
      InMemoryBackend.this.cancel(this);
    }
  }
}
