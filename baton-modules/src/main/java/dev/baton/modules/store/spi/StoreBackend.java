package dev.baton.modules.store.spi;

import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreEntry;
import dev.baton.modules.store.StorePage;
import dev.baton.modules.store.StoreUnavailableException;
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
 *   <li>Versions come from one counter per store: they increase with every write to a key and are
 *       never reused anywhere in the store, not even after a delete (so a compare-and-set holding a
 *       version from before a delete fails); an absent key has version 0. They are not a clock
 *       across keys: two writes to different keys may become visible in the other order than their
 *       versions.
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
 * stage fails with {@link VersionConflictException} for a failed condition, and with {@link
 * StoreUnavailableException} (naming the store, the operation and the key, the backend's own error
 * as cause) for an infrastructure failure (a lost connection, a timeout, a closed backend). A
 * backend must not let another exception type escape, nor throw from these methods. Cancelling a
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
   * StorePage#hasMore()}) if live entries may follow; its cursor is the last key it covered. A page
   * stops early, with more to come, before an entry that would take its values past {@link
   * Store#LIST_PAGE_BYTES} (a page is never empty for that reason alone). A backend may also return
   * fewer than {@code limit} entries (even none) with more to come, when it bounds the expired
   * entries one call skips.
   */
  CompletionStage<StorePage> list(String prefix, @Nullable String cursor, int limit);

  /**
   * Releases what the backend holds (connections). Idempotent. Afterwards the methods return failed
   * stages.
   */
  @Override
  void close();
}
