package dev.baton.modules.store;

import static java.util.Objects.requireNonNull;

import dev.baton.modules.store.spi.KeyOrder;
import dev.baton.modules.store.spi.StoreBackend;
import dev.baton.time.TimeSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A store held in this JVM's memory: the default backend of the store module.
 *
 * <p><b>Design.</b> Entries live in a {@link ConcurrentSkipListMap} ordered by {@link KeyOrder}
 * (UTF-8 byte order), so listings walk the map in the order every backend lists in. Each write goes
 * through {@code compute}, which installs its new node with a compare-and-set against the node the
 * function saw: a conditional put is linearizable without a lock (the function may run again after
 * losing a race, and then decides again on the newer node). Versions come from one {@link
 * AtomicLong} per store; a version drawn by a function that lost its race is skipped, never reused.
 * A version is drawn inside the function, before the node is installed, so two writes to different
 * keys may become visible in the other order than their versions: versions increase per key and are
 * never reused across the store, but they are no global clock.
 *
 * <p><b>Expiry.</b> Times are read from the node's {@link TimeSource#now()}, so tests move them
 * with a manual clock. An entry whose expiry has passed is treated as absent by every method at
 * once (lazy expiry); its memory is reclaimed by the next write touching its key, or by a bounded
 * sweep ({@value #SWEEP_BATCH} entries at most) that every write runs over an index of expiries, or
 * by a listing that passes them. So an idle store keeps expired entries in memory (invisible) until
 * its next write. The index holds one record per live entry with a TTL: a write or delete that
 * replaces an entry removes its record (a record can outlive its entry only when two writes to one
 * key race, and is then dropped when due).
 *
 * <p><b>Listing.</b> A listing passes over at most {@value #LIST_SKIP_BUDGET} expired entries per
 * call (removing each), then returns what it has with more to come, so one call's work is bounded
 * however many expired entries lie in the range; a page also stops once its values pass {@link
 * Store#LIST_PAGE_BYTES}.
 *
 * <p>All methods are thread-safe and never block; they return completed stages. Values are copied
 * in and out, so callers never share arrays with the store. After {@link #close()} every method
 * returns a stage failed with {@link StoreUnavailableException}.
 */
public final class InMemoryStore implements StoreBackend {
  /** How many expired entries one write reclaims at most. */
  static final int SWEEP_BATCH = 16;

  /** How many expired entries one listing call passes over at most. */
  static final int LIST_SKIP_BUDGET = 1000;

  private final String name;
  private final TimeSource time;
  private final ConcurrentSkipListMap<String, Node> entries =
      new ConcurrentSkipListMap<>(KeyOrder.UTF8);
  private final ConcurrentSkipListSet<Expiry> expiries = new ConcurrentSkipListSet<>();
  private final AtomicLong versions = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param name the store's name, as commands name it
   * @param time the clock expiries are measured on
   */
  public InMemoryStore(String name, TimeSource time) {
    this.name = Store.checkStoreName(name);
    this.time = requireNonNull(time, "time");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletionStage<Optional<StoreEntry>> entry(String key) {
    if (closed) {
      return closedStage("entry", key);
    }
    Node node = live(key, time.now());
    return CompletableFuture.completedFuture(
        node == null ? Optional.empty() : Optional.of(node.toEntry(key)));
  }

  @Override
  public CompletionStage<Boolean> has(String key) {
    if (closed) {
      return closedStage("has", key);
    }
    return CompletableFuture.completedFuture(live(key, time.now()) != null);
  }

  @Override
  public CompletionStage<Long> put(String key, byte[] value, Store.PutOptions options) {
    if (closed) {
      return closedStage("put", key);
    }
    Instant now = time.now();
    @Nullable Instant expiresAt = options.ttl() == null ? null : now.plus(options.ttl());
    byte[] copy = value.clone();
    long required = options.requiredVersion();
    // What the last run of the function saw and decided (it may run again after losing a race).
    long[] found = new long[1];
    boolean[] wrote = new boolean[1];
    @Nullable Node[] replaced = new Node[1];
    Node written =
        entries.compute(
            key,
            (k, old) -> {
              long current = old == null || old.expired(now) ? 0 : old.version;
              found[0] = current;
              wrote[0] = required == Store.PutOptions.ANY_VERSION || required == current;
              replaced[0] = old;
              if (!wrote[0]) {
                return old; // unchanged: compute keeps the old node (removes it if null)
              }
              return new Node(copy, versions.incrementAndGet(), expiresAt);
            });
    if (!wrote[0] || written == null) {
      sweep(now);
      return CompletableFuture.failedFuture(
          new VersionConflictException(name, key, required, found[0]));
    }
    forgetExpiry(key, replaced[0]);
    if (expiresAt != null) {
      expiries.add(new Expiry(expiresAt, key, written.version));
    }
    sweep(now);
    return CompletableFuture.completedFuture(written.version);
  }

  @Override
  public CompletionStage<Boolean> delete(String key) {
    if (closed) {
      return closedStage("delete", key);
    }
    Instant now = time.now();
    boolean[] existed = new boolean[1];
    @Nullable Node[] removed = new Node[1];
    var _ =
        entries.computeIfPresent(
            key,
            (k, old) -> {
              existed[0] = !old.expired(now);
              removed[0] = old;
              return null;
            });
    forgetExpiry(key, removed[0]);
    sweep(now);
    return CompletableFuture.completedFuture(existed[0]);
  }

  @Override
  public CompletionStage<StorePage> list(String prefix, @Nullable String cursor, int limit) {
    if (closed) {
      return closedStage("list", prefix);
    }
    Instant now = time.now();
    Map<String, Node> tail =
        cursor != null && KeyOrder.compare(cursor, prefix) >= 0
            ? entries.tailMap(cursor, false)
            : entries.tailMap(prefix, true);
    ArrayList<StoreEntry> page = new ArrayList<>(Math.min(limit, 64));
    long bytes = 0;
    int skipped = 0;
    boolean more = false;
    @Nullable String passed = null; // the last key this call covered
    for (Map.Entry<String, Node> e : tail.entrySet()) {
      String key = e.getKey();
      Node node = e.getValue();
      if (!key.startsWith(prefix)) {
        break; // keys with the prefix are contiguous in byte order
      }
      if (node.expired(now)) {
        if (skipped == LIST_SKIP_BUDGET) {
          more = true; // bounded work per call: the next call goes on after `passed`
          break;
        }
        skipped++;
        // Only that very node: a write that replaced it meanwhile stays.
        if (entries.remove(key, node)) {
          forgetExpiry(key, node);
        }
        passed = key;
        continue;
      }
      if (page.size() == limit
          || (!page.isEmpty() && bytes + node.value.length > Store.LIST_PAGE_BYTES)) {
        more = true;
        break;
      }
      page.add(node.toEntry(key));
      bytes += node.value.length;
      passed = key;
    }
    return CompletableFuture.completedFuture(new StorePage(page, more ? passed : null, more));
  }

  /** Drops every entry; later calls fail. */
  @Override
  public void close() {
    closed = true;
    entries.clear();
    expiries.clear();
  }

  /** The number of entries held, expired ones not yet reclaimed included (for tests). */
  int heldEntries() {
    return entries.size();
  }

  /** The number of expiry records held (for tests). */
  int heldExpiries() {
    return expiries.size();
  }

  /** Drops the expiry record of {@code node}, an entry at {@code key} no longer in the map. */
  private void forgetExpiry(String key, @Nullable Node node) {
    if (node != null && node.expiresAt != null) {
      var _ = expiries.remove(new Expiry(node.expiresAt, key, node.version));
    }
  }

  private @Nullable Node live(String key, Instant now) {
    Node node = entries.get(key);
    return node == null || node.expired(now) ? null : node;
  }

  /** Reclaims up to {@value #SWEEP_BATCH} entries whose expiry has passed. */
  private void sweep(Instant now) {
    Iterator<Expiry> due = expiries.iterator(); // weakly consistent: safe beside other writers
    for (int i = 0; i < SWEEP_BATCH && due.hasNext(); i++) {
      Expiry first = due.next();
      if (first.at.isAfter(now)) {
        return;
      }
      if (expiries.remove(first)) {
        // Only the very node that expiry belongs to: a newer write at the key stays.
        var _ =
            entries.computeIfPresent(
                first.key, (k, node) -> node.version == first.version ? null : node);
      }
    }
  }

  private <T> CompletionStage<T> closedStage(String operation, String key) {
    return CompletableFuture.failedFuture(
        new StoreUnavailableException(
            name, operation, key, "the in-memory store is closed (the node stopped)", null));
  }

  /** An entry as stored: immutable, its value never handed out. */
  private static final class Node {
    final byte[] value;
    final long version;
    final @Nullable Instant expiresAt;

    Node(byte[] value, long version, @Nullable Instant expiresAt) {
      this.value = value;
      this.version = version;
      this.expiresAt = expiresAt;
    }

    boolean expired(Instant now) {
      return expiresAt != null && !now.isBefore(expiresAt);
    }

    StoreEntry toEntry(String key) {
      return new StoreEntry(key, value.clone(), version, expiresAt);
    }
  }

  /** When the entry of one version expires; ordered by time, then key and version. */
  private record Expiry(Instant at, String key, long version) implements Comparable<Expiry> {
    @Override
    public int compareTo(Expiry other) {
      int c = at.compareTo(other.at);
      if (c != 0) {
        return c;
      }
      c = KeyOrder.compare(key, other.key);
      return c != 0 ? c : Long.compare(version, other.version);
    }
  }
}
