package dev.baton.modules.store.spi;

import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreEntry;
import dev.baton.modules.store.StorePage;
import dev.baton.modules.store.VersionConflictException;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * One named store's backend: a versioned key-value map with expiry, reached asynchronously.
 *
 * <p><b>What every backend guarantees</b> (checked by {@code dev.baton.testkit.StoreContract}):
 *
 * <ul>
 *   <li>Versions come from one counter per store: every write takes a version greater than any the
 *       store has given before, so a version is never reused, not even after a delete; an absent
 *       key has version 0.
 *   <li>{@link #put} is linearizable: its condition is checked and its write made atomically.
 *   <li>An expired entry is invisible to every method (reads, conditions, deletes, listings) from
 *       the moment it expires by the backend's clock, whenever its storage is actually reclaimed.
 *   <li>{@link #list} orders keys by their UTF-8 bytes (unsigned), which is Unicode code point
 *       order ({@link KeyOrder}), the same in every backend.
 * </ul>
 *
 * <p><b>Threads.</b> Implementations are thread-safe. No method blocks its caller (the store module
 * calls them from scheduler threads): each returns a stage that completes later, possibly on a
 * backend's own thread (a network client's I/O thread), so a dependent action must be short. A
 * stage fails with {@link VersionConflictException} for a failed condition, and with the backend's
 * own exception for an infrastructure failure (a lost connection, a closed backend). Cancelling a
 * stage ({@code toCompletableFuture().cancel}) is a hint: a backend may stop the work, but a write
 * already sent may still happen.
 *
 * <p>Arguments are validated by the caller ({@link Store#checkKey}); values passed in and returned
 * are the backend's to keep (it copies them, or never shares them).
 */
public interface StoreBackend extends AutoCloseable {

  /** The store's name, as commands name it. */
  String name();

  /** The live entry at {@code key}, or empty if it is absent or expired. */
  CompletionStage<Optional<StoreEntry>> entry(String key);

  /**
   * Whether {@code key} holds a live entry. By default reads the entry; a backend that can answer
   * without transferring the value overrides this.
   */
  default CompletionStage<Boolean> has(String key) {
    return entry(key).thenApply(Optional::isPresent);
  }

  /**
   * Writes {@code value} at {@code key} if {@code options}' condition holds, with its expiry (or
   * none, removing an earlier one); completes with the new version, or fails with {@link
   * VersionConflictException} naming the version found, having written nothing.
   */
  CompletionStage<Long> put(String key, byte[] value, Store.PutOptions options);

  /** Deletes {@code key}; completes with whether it held a live entry. */
  CompletionStage<Boolean> delete(String key);

  /**
   * Up to {@code limit} live entries whose keys start with {@code prefix} and come after {@code
   * cursor} (exclusive) in {@link KeyOrder}, in that order. The page has more ({@link
   * StorePage#hasMore()}) if live entries may follow; its cursor is the last key it covered. A
   * backend may return fewer than {@code limit} entries (even none) with more to come, when it
   * bounds the expired entries one call skips.
   */
  CompletionStage<StorePage> list(String prefix, @Nullable String cursor, int limit);

  /**
   * Releases what the backend holds (connections). Idempotent. Afterwards the methods return failed
   * stages.
   */
  @Override
  void close();
}
