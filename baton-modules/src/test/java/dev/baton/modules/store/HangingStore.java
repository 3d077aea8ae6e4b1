package dev.baton.modules.store;

import dev.baton.modules.store.spi.StoreBackend;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A backend whose calls never complete on their own: each returns a pending future the test reads
 * from {@link #pending} (to see whether the module cancelled it) and may complete itself.
 */
final class HangingStore implements StoreBackend {
  final List<CompletableFuture<?>> pending = new CopyOnWriteArrayList<>();
  private final String name;

  HangingStore(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  private <T> CompletableFuture<T> hang() {
    CompletableFuture<T> future = new CompletableFuture<>();
    pending.add(future);
    return future;
  }

  @Override
  public CompletionStage<Optional<StoreEntry>> entry(String key) {
    return hang();
  }

  @Override
  public CompletionStage<Long> put(String key, byte[] value, Store.PutOptions options) {
    return hang();
  }

  @Override
  public CompletionStage<Boolean> delete(String key) {
    return hang();
  }

  @Override
  public CompletionStage<StorePage> list(String prefix, @Nullable String cursor, int limit) {
    return hang();
  }

  @Override
  public void close() {}
}
