package dev.baton.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
import dev.baton.modules.store.KeyNotFoundException;
import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreEntry;
import dev.baton.modules.store.StoreModule;
import dev.baton.modules.store.StorePage;
import dev.baton.modules.store.StoreUnavailableException;
import dev.baton.modules.store.Stores;
import dev.baton.modules.store.VersionConflictException;
import dev.baton.process.Scheduler;
import dev.baton.time.SystemTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store module served by a Redis store: a node booted with {@link StoreModule} over {@link
 * RedisStore} runs a coroutine that sets, gets and conditionally puts through commands, and sees
 * Redis's answers and typed errors.
 */
class RedisStoreModuleTest {

  private String name;
  private Boot boot;
  private Scheduler scheduler;

  @BeforeEach
  void boot() {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    name = "mt" + HexFormat.of().formatHex(random);
    RedisStore store = RedisStore.connect(RedisTests.uri(), name);
    // A second store, closed before any command reaches it: how a stopped backend looks.
    RedisStore closed = RedisStore.connect(RedisTests.uri(), name + "-closed");
    closed.close();
    boot =
        Boot.of(
            Registry.component(),
            Scheduler.component(),
            SystemTimeSource.component(),
            Stores.component(store, closed), // closes the stores when the node stops
            Dispatcher.component(new StoreModule()));
    boot.load(AppContext.empty());
    scheduler = boot.start().require(Scheduler.KEY);
  }

  @AfterEach
  void shutdown() {
    try {
      boot.shutdown();
    } finally {
      RedisStoreContractTest.deleteStore(name);
    }
  }

  @Test
  void aCoroutine_setsGetsAndPutsThroughTheModule_overRedis() throws Exception {
    CompletableFuture<List<Object>> seen = new CompletableFuture<>();
    scheduler.spawnCoroutine(
        (process, input) -> {
          try {
            long v1 = process.call(new Store.Set(name, "greeting", Store.utf8("hello")));
            byte[] value = process.call(new Store.Get(name, "greeting"));
            long v2 =
                process.call(
                    new Store.Put(
                        name, "greeting", Store.utf8("hi"), Store.PutOptions.ifVersion(v1)));
            Throwable conflict = null;
            try {
              var _ =
                  process.call(
                      new Store.Put(
                          name, "greeting", Store.utf8("hey"), Store.PutOptions.ifVersion(v1)));
            } catch (VersionConflictException e) {
              conflict = e;
            }
            Throwable missing = null;
            try {
              var _ = process.call(new Store.Get(name, "absent"));
            } catch (KeyNotFoundException e) {
              missing = e;
            }
            byte[] after = process.call(new Store.Get(name, "greeting"));
            seen.complete(
                List.of(
                    v1,
                    new String(value, UTF_8),
                    v2,
                    String.valueOf(conflict),
                    String.valueOf(missing),
                    new String(after, UTF_8)));
          } catch (RuntimeException e) {
            seen.completeExceptionally(e);
          }
          return null;
        });

    List<Object> results = seen.get(10, TimeUnit.SECONDS);

    long v1 = (Long) results.get(0);
    assertThat(results.get(1)).isEqualTo("hello");
    assertThat((Long) results.get(2)).isGreaterThan(v1);
    assertThat((String) results.get(3))
        .contains("VersionConflictException")
        .contains("found version " + results.get(2));
    assertThat((String) results.get(4)).contains("KeyNotFoundException").contains("'absent'");
    assertThat(results.get(5)).isEqualTo("hi");
  }

  @Test
  void aCoroutine_listsReadsEntriesAsksAndDeletesThroughTheModule_overRedis() throws Exception {
    CompletableFuture<List<Object>> seen = new CompletableFuture<>();
    scheduler.spawnCoroutine(
        (process, input) -> {
          try {
            long a = process.call(new Store.Set(name, "user/a", Store.utf8("A")));
            var _ =
                process.call(
                    new Store.Put(
                        name,
                        "user/b",
                        Store.utf8("B"),
                        Store.PutOptions.ttl(Duration.ofHours(1))));
            var _ = process.call(new Store.Set(name, "other", Store.utf8("O")));
            StorePage first = process.call(new Store.List(name, "user/", null, 1));
            StorePage second = process.call(new Store.List(name, "user/", first.nextCursor(), 1));
            Optional<StoreEntry> entry = process.call(new Store.Entry(name, "user/b"));
            boolean had = process.call(new Store.Has(name, "user/a"));
            boolean deleted = process.call(new Store.Delete(name, "user/a"));
            boolean hasAfter = process.call(new Store.Has(name, "user/a"));
            boolean deletedAgain = process.call(new Store.Delete(name, "user/a"));
            Optional<StoreEntry> gone = process.call(new Store.Entry(name, "user/a"));
            seen.complete(
                List.of(a, first, second, entry, had, deleted, hasAfter, deletedAgain, gone));
          } catch (RuntimeException e) {
            seen.completeExceptionally(e);
          }
          return null;
        });

    List<Object> results = seen.get(10, TimeUnit.SECONDS);

    StorePage first = (StorePage) results.get(1);
    StorePage second = (StorePage) results.get(2);
    assertThat(first.keys()).containsExactly("user/a");
    assertThat(first.hasMore()).isTrue();
    assertThat(first.entries().getFirst().version()).isEqualTo(results.get(0));
    assertThat(first.entries().getFirst().valueAsUtf8()).isEqualTo("A");
    assertThat(second.keys()).containsExactly("user/b");
    StoreEntry b = ((Optional<?>) results.get(3)).map(StoreEntry.class::cast).orElseThrow();
    assertThat(b.valueAsUtf8()).isEqualTo("B");
    assertThat(b.expiresAt()).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
    assertThat(results.subList(4, 8)).containsExactly(true, true, false, false);
    assertThat((Optional<?>) results.get(8)).isEmpty();
  }

  @Test
  void aCommandOnAClosedStore_completesWithStoreUnavailable_namingStoreOperationAndKey()
      throws Exception {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    String closed = name + "-closed";
    scheduler.spawnCoroutine(
        (process, input) -> {
          try {
            var _ = process.call(new Store.Get(closed, "k"));
            failure.complete(new AssertionError("the Get succeeded"));
          } catch (RuntimeException e) {
            failure.complete(e);
          }
          return null;
        });

    Throwable error = failure.get(10, TimeUnit.SECONDS);

    assertThat(error)
        .isInstanceOfSatisfying(
            StoreUnavailableException.class,
            e -> {
              assertThat(e.store()).isEqualTo(closed);
              assertThat(e.operation()).isEqualTo("entry");
              assertThat(e.key()).isEqualTo("k");
            })
        .hasMessageContaining("store '" + closed + "': entry of key 'k' failed")
        .hasMessageContaining("closed");
  }
}
