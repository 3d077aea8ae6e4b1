package dev.baton.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Registry;
import dev.baton.modules.store.KeyNotFoundException;
import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreModule;
import dev.baton.modules.store.Stores;
import dev.baton.modules.store.VersionConflictException;
import dev.baton.process.Scheduler;
import dev.baton.time.SystemTimeSource;
import java.util.HexFormat;
import java.util.List;
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
    boot =
        Boot.of(
            Registry.component(),
            Scheduler.component(),
            SystemTimeSource.component(),
            Stores.component(store), // closes the store when the node stops
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
}
