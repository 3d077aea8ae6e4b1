package dev.baton.modules.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.modules.store.Store.PutOptions;
import dev.baton.testing.TestNode;
import dev.baton.time.ManualTimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * What the in-memory store does beyond the store contract (which {@code baton-testkit} runs on it):
 * how it reclaims expired entries, and the {@link Stores} component that provides it.
 */
class InMemoryStoreTest {

  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryStore store = new InMemoryStore("s", time);

  @Test
  void expiredEntries_stayHeldButInvisible_untilAWriteSweepsThem_atMostABatchPerWrite()
      throws Exception {
    int expiring = InMemoryStore.SWEEP_BATCH * 2 + 3;
    for (int i = 0; i < expiring; i++) {
      var _ = store.put("k" + i, new byte[] {1}, PutOptions.ttl(Duration.ofSeconds(1)));
    }
    time.advance(Duration.ofSeconds(2));
    assertThat(store.heldEntries()).isEqualTo(expiring);
    // reads see nothing (a listing would reclaim what it passes: see the listing test)
    assertThat(store.has("k0").toCompletableFuture().get()).isFalse();
    assertThat(store.entry("k1").toCompletableFuture().get()).isEmpty();
    assertThat(store.heldEntries()).isEqualTo(expiring);

    var _ = store.put("fresh", new byte[0], PutOptions.NONE);

    assertThat(store.heldEntries()).isEqualTo(expiring - InMemoryStore.SWEEP_BATCH + 1);
    var _ = store.delete("fresh"); // a delete sweeps too
    assertThat(store.heldEntries()).isEqualTo(3);
    var _ = store.delete("other");
    assertThat(store.heldEntries()).isZero();
  }

  @Test
  void theSweep_ofAnOldVersionsExpiry_leavesANewerWriteAtTheKey() throws Exception {
    var _ = store.put("k", new byte[] {1}, PutOptions.ttl(Duration.ofSeconds(1)));
    var _ = store.put("k", new byte[] {2}, PutOptions.NONE);
    time.advance(Duration.ofSeconds(2));

    var _ = store.put("other", new byte[0], PutOptions.NONE);

    assertThat(store.entry("k").toCompletableFuture().get().orElseThrow().value())
        .containsExactly(2);
  }

  @Test
  void aClosedStore_failsItsCalls_withStoreUnavailable() {
    store.close();

    assertThatThrownBy(() -> store.entry("k").toCompletableFuture().get())
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aListing_passesOverAtMostItsBudgetOfExpiredEntries_removingThem_andGoesOnFromThere()
      throws Exception {
    int expired = InMemoryStore.LIST_SKIP_BUDGET + 500;
    for (int i = 0; i < expired; i++) {
      var _ =
          store.put(String.format("a/%05d", i), new byte[0], PutOptions.ttl(Duration.ofSeconds(1)));
    }
    var _ = store.put("b/live", new byte[0], PutOptions.NONE);
    time.advance(Duration.ofSeconds(2));

    StorePage first = store.list("", null, 10).toCompletableFuture().get();

    assertThat(first.entries()).isEmpty();
    assertThat(first.hasMore()).isTrue();
    assertThat(first.nextCursor())
        .isEqualTo(String.format("a/%05d", InMemoryStore.LIST_SKIP_BUDGET - 1));
    assertThat(store.heldEntries()).isEqualTo(501); // the passed ones are reclaimed
    assertThat(store.heldExpiries()).isEqualTo(500);
    StorePage second = store.list("", first.nextCursor(), 10).toCompletableFuture().get();
    assertThat(second.keys()).containsExactly("b/live");
    assertThat(second.hasMore()).isFalse();
    assertThat(store.heldEntries()).isEqualTo(1);
    assertThat(store.heldExpiries()).isZero();
  }

  @Test
  void overwritingOrDeletingAnEntryWithTtl_dropsItsExpiryRecord() throws Exception {
    for (int i = 0; i < 10; i++) {
      var _ = store.put("k", new byte[] {1}, PutOptions.ttl(Duration.ofHours(1)));
    }
    assertThat(store.heldExpiries()).isEqualTo(1);
    var _ = store.put("k", new byte[] {2}, PutOptions.NONE);
    assertThat(store.heldExpiries()).isZero();
    var _ = store.put("k", new byte[] {3}, PutOptions.ttl(Duration.ofHours(1)));
    var _ = store.delete("k");
    assertThat(store.heldExpiries()).isZero();
    // a failed condition leaves the record of the entry it did not replace
    var _ = store.put("j", new byte[] {1}, PutOptions.ttl(Duration.ofHours(1)));
    var _ = store.put("j", new byte[] {2}, PutOptions.ifAbsent());
    assertThat(store.heldExpiries()).isEqualTo(1);
  }

  @Test
  void stores_refuseTwoStoresOfOneName_andNameTheStoresThereAreForAnUnknownOne() {
    assertThatThrownBy(() -> new Stores(List.of(store, new InMemoryStore("s", time))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'s'");
    assertThatThrownBy(() -> new Stores(List.of(store)).require("t"))
        .isInstanceOf(StoreNotFoundException.class)
        .hasMessageContaining("[s]");
  }

  @Test
  void theDefaultComponent_providesAnInMemoryDefaultStore_onTheNodesClock() {
    try (TestNode node =
        TestNode.builder()
            .manualTime()
            .component(Stores.component())
            .dispatcher(new StoreModule())
            .build()) {
      assertThat(node.services().require(Stores.KEY).names()).containsExactly("default");
      var _ =
          node.callInCoroutine(Store.Put.utf8("k", "v", PutOptions.ttl(Duration.ofSeconds(10))));
      node.manualTime().advance(Duration.ofSeconds(10));
      assertThat(node.callInCoroutine(new Store.Has("k"))).isFalse();
    }
  }
}
