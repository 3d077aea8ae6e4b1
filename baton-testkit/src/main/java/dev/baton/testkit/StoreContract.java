package dev.baton.testkit;

import static dev.baton.testkit.Contracts.join;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.baton.modules.store.Store.PutOptions;
import dev.baton.modules.store.StoreEntry;
import dev.baton.modules.store.StorePage;
import dev.baton.modules.store.StoreUnavailableException;
import dev.baton.modules.store.VersionConflictException;
import dev.baton.modules.store.spi.KeyOrder;
import dev.baton.modules.store.spi.StoreBackend;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The contract of a store backend ({@link StoreBackend}): reads and writes, versions from one
 * counter per store that are never reused, conditional writes (only-if-absent, compare-and-set)
 * that are linearizable (one winner among racing only-if-absent puts), expiry that hides an entry
 * from every method and combines with conditions, listings in UTF-8 byte order with prefix and
 * cursor paging (pages bounded by count and by value bytes, possibly empty with more to come), keys
 * of any text (including names a backend uses internally), values from empty to 1 MiB, and a closed
 * store that fails every call with {@code StoreUnavailableException}.
 *
 * <h2>How a backend uses it</h2>
 *
 * <p>Extend it in the backend's tests, open a store with a name no other test uses in your own
 * {@code @BeforeEach} (each test needs an empty store), close it (and delete what it left) in
 * {@code @AfterEach}, and implement:
 *
 * <ul>
 *   <li>{@link #store()}: the store under test;
 *   <li>{@link #advanceTime(Duration)}: move the store's clock forward. A store on a manual {@code
 *       TimeSource} advances it; a store whose clock it does not own (Redis expires keys by the
 *       server's clock) waits, bounded, until that clock has moved so far. The TTL tests use {@link
 *       #shortTtl()} for the entries that must expire, so such a wait stays short.
 * </ul>
 *
 * <p>Optional: {@link #now()} (the store's clock, to check reported expiries; the system clock by
 * default), {@link #expiryTolerance()} and {@link #awaitBound()}. Every wait is bounded; no test
 * sleeps.
 */
public abstract class StoreContract {

  /** For subclasses: the backend's test class. */
  protected StoreContract() {}

  /** The store under test, empty at the start of each test. */
  protected abstract StoreBackend store();

  /**
   * Moves the store's clock forward by at least {@code duration}, so entries whose expiry falls
   * within it are expired when this returns.
   */
  protected abstract void advanceTime(Duration duration) throws Exception;

  /**
   * The time to live of entries the TTL tests expire (by {@link #advanceTime} past it): 1 second by
   * default. A store on real time makes it short; it must still be long enough that the test's own
   * writes and reads before advancing take less.
   */
  protected Duration shortTtl() {
    return Duration.ofSeconds(1);
  }

  /** The store's current time, to check reported expiries. The system clock by default. */
  protected Instant now() {
    return Instant.now();
  }

  /** How far a reported expiry may be from the one computed with {@link #now()}: 2 seconds. */
  protected Duration expiryTolerance() {
    return Duration.ofSeconds(2);
  }

  /** How long any single call may take before the test fails: 10 seconds. */
  protected Duration awaitBound() {
    return Duration.ofSeconds(10);
  }

  // ---- basics ----

  @Test
  void set_thenEntry_returnsTheValue_andAbsentKeysAreEmpty() throws Exception {
    long version = put("k", "v", PutOptions.NONE);

    StoreEntry entry = entry("k").orElseThrow();

    assertThat(version).isPositive();
    assertThat(entry.key()).isEqualTo("k");
    assertThat(entry.valueAsUtf8()).isEqualTo("v");
    assertThat(entry.version()).isEqualTo(version);
    assertThat(entry.expiresAt()).isNull();
    assertThat(entry("absent")).isEmpty();
  }

  @Test
  void has_andDelete_reportWhetherALiveEntryWasThere() throws Exception {
    var _ = put("k", "v", PutOptions.NONE);

    assertThat(call(store().has("k"))).isTrue();
    assertThat(call(store().delete("k"))).isTrue();
    assertThat(call(store().has("k"))).isFalse();
    assertThat(entry("k")).isEmpty();
    assertThat(call(store().delete("k"))).isFalse();
    assertThat(call(store().has("never"))).isFalse();
  }

  @Test
  void set_overwrites_andAnEarlierExpiryIsRemoved() throws Exception {
    var _ = put("k", "v1", PutOptions.ttl(Duration.ofHours(1)));
    var _ = put("k", "v2", PutOptions.NONE);

    StoreEntry entry = entry("k").orElseThrow();

    assertThat(entry.valueAsUtf8()).isEqualTo("v2");
    assertThat(entry.expiresAt()).isNull();
  }

  @Test
  void values_areCopied_emptyAndOneMebibyteValuesRoundTrip() throws Exception {
    byte[] large = new byte[1 << 20];
    ThreadLocalRandom.current().nextBytes(large);
    byte[] written = large.clone();
    var _ = call(store().put("large", written, PutOptions.NONE));
    written[0] ^= 1; // the store kept its own copy
    var _ = call(store().put("empty", new byte[0], PutOptions.NONE));

    assertThat(entry("large").orElseThrow().value()).isEqualTo(large);
    assertThat(entry("empty").orElseThrow().value()).isEmpty();
    assertThat(call(store().has("empty"))).isTrue();
  }

  // ---- versions ----

  @Test
  void versions_increaseWithEveryWrite_andAreNeverReusedAfterADelete() throws Exception {
    long v1 = put("k", "a", PutOptions.NONE);
    long v2 = put("k", "b", PutOptions.NONE);
    long other = put("other", "x", PutOptions.NONE);
    var _ = call(store().delete("k"));
    long v3 = put("k", "c", PutOptions.NONE);

    assertThat(v2).isGreaterThan(v1);
    assertThat(other).isGreaterThan(v2); // one counter per store
    assertThat(v3).isGreaterThan(other);
    assertThat(entry("k").orElseThrow().version()).isEqualTo(v3);
  }

  @Test
  void aCompareAndSetHoldingAVersionFromBeforeADelete_failsAfterTheKeyIsRecreated()
      throws Exception {
    long old = put("k", "a", PutOptions.NONE);
    var _ = call(store().delete("k"));
    long recreated = put("k", "b", PutOptions.NONE);

    assertConflict(() -> store().put("k", utf8("c"), PutOptions.ifVersion(old)), old, recreated);
    assertThat(entry("k").orElseThrow().valueAsUtf8()).isEqualTo("b");
  }

  // ---- conditional writes ----

  @Test
  void putOnlyIfAbsent_writesOnce_thenFailsNamingTheVersionFound() throws Exception {
    long first = put("k", "a", PutOptions.ifAbsent());

    assertConflict(() -> store().put("k", utf8("b"), PutOptions.ifAbsent()), 0, first);
    assertThat(entry("k").orElseThrow().valueAsUtf8()).isEqualTo("a");
  }

  @Test
  void putExpectingVersionZero_isOnlyIfAbsent() throws Exception {
    long first = put("k", "a", PutOptions.ifVersion(0));

    assertConflict(() -> store().put("k", utf8("b"), PutOptions.ifVersion(0)), 0, first);
  }

  @Test
  void compareAndSet_withTheCurrentVersion_writes_andWithAnyOther_failsReportingTheActual()
      throws Exception {
    long v1 = put("k", "a", PutOptions.NONE);
    long v2 = put("k", "b", PutOptions.ifVersion(v1));

    assertThat(v2).isGreaterThan(v1);
    assertConflict(() -> store().put("k", utf8("c"), PutOptions.ifVersion(v1)), v1, v2);
    assertConflict(
        () -> store().put("k", utf8("c"), PutOptions.ifVersion(v2 + 1000)), v2 + 1000, v2);
    assertThat(entry("k").orElseThrow().valueAsUtf8()).isEqualTo("b");
  }

  @Test
  void compareAndSet_onAnAbsentKey_failsReportingVersionZero() throws Exception {
    assertConflict(() -> store().put("absent", utf8("x"), PutOptions.ifVersion(5)), 5, 0);
    assertThat(entry("absent")).isEmpty();
  }

  @Test
  void concurrentCompareAndSetIncrements_from8Threads_loseNoUpdate() throws Exception {
    var _ = put("counter", "0", PutOptions.NONE);
    int threads = 8;
    int each = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(
            pool.submit(
                () -> {
                  int conflicts = 0;
                  for (int i = 0; i < each; i++) {
                    while (true) {
                      StoreEntry current = entry("counter").orElseThrow();
                      long next = Long.parseLong(current.valueAsUtf8()) + 1;
                      try {
                        var _ =
                            call(
                                store()
                                    .put(
                                        "counter",
                                        utf8(Long.toString(next)),
                                        PutOptions.ifVersion(current.version())));
                        break;
                      } catch (AssertionError e) {
                        if (!(e.getCause() instanceof VersionConflictException)) {
                          throw e;
                        }
                        conflicts++;
                      }
                    }
                  }
                  return conflicts;
                }));
      }
      for (Future<Integer> worker : workers) {
        var _ = worker.get(awaitBound().toMillis() * 6, TimeUnit.MILLISECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(awaitBound().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    assertThat(entry("counter").orElseThrow().valueAsUtf8())
        .isEqualTo(Integer.toString(threads * each));
  }

  // ---- expiry ----

  @Test
  void anEntryWithATtl_reportsItsExpiry() throws Exception {
    Instant before = now();
    var _ = put("k", "v", PutOptions.ttl(Duration.ofHours(1)));

    Instant expiresAt = entry("k").orElseThrow().expiresAt();

    assertThat(expiresAt).isNotNull();
    assertThat(expiresAt)
        .isCloseTo(
            before.plus(Duration.ofHours(1)),
            within(expiryTolerance().toMillis(), ChronoUnit.MILLIS));
  }

  @Test
  void anExpiredEntry_isInvisibleToGetHasEntryListAndDelete() throws Exception {
    var _ = put("p/expiring", "x", PutOptions.ttl(shortTtl()));
    var _ = put("p/staying", "y", PutOptions.NONE);

    advanceTime(shortTtl().plusMillis(50));

    assertThat(entry("p/expiring")).isEmpty();
    assertThat(call(store().has("p/expiring"))).isFalse();
    assertThat(list("p/", null, 10).keys()).containsExactly("p/staying");
    assertThat(call(store().delete("p/expiring"))).isFalse();
    assertThat(entry("p/staying")).isPresent();
  }

  @Test
  void anExpiredEntry_countsAsAbsentForConditions_andItsVersionIsNotReused() throws Exception {
    long expired = put("k", "x", PutOptions.ttl(shortTtl()));
    advanceTime(shortTtl().plusMillis(50));

    assertConflict(() -> store().put("k", utf8("y"), PutOptions.ifVersion(expired)), expired, 0);
    long recreated = put("k", "z", PutOptions.ifAbsent());

    assertThat(recreated).isGreaterThan(expired);
  }

  @Test
  void rewritingWithoutTtl_beforeExpiry_keepsTheEntryPastTheOldExpiry() throws Exception {
    var _ = put("k", "x", PutOptions.ttl(shortTtl()));
    var _ = put("k", "y", PutOptions.NONE);

    advanceTime(shortTtl().plusMillis(50));

    assertThat(entry("k").orElseThrow().valueAsUtf8()).isEqualTo("y");
  }

  // ---- listing ----

  @Test
  void list_ordersKeysByTheirUtf8Bytes_includingCaseAndNonAscii() throws Exception {
    // UTF-8 byte order: upper case before lower case; U+00E9 before U+4E2D before U+FF5E before
    // U+1F600 (a surrogate pair in UTF-16, which String.compareTo would put before U+FF5E).
    List<String> keys =
        List.of("b", "B", "a", "A", "ab", "a b", "é", "中", "～", "😀", "z", "Z0", "a\u0000");
    for (String key : keys) {
      var _ = put(key, key, PutOptions.NONE);
    }
    List<String> expected = new ArrayList<>(keys);
    expected.sort(KeyOrder.UTF8);

    StorePage page = list("", null, 100);

    assertThat(page.keys()).containsExactlyElementsOf(expected);
    assertThat(page.keys())
        .containsExactly(
            "A", "B", "Z0", "a", "a\u0000", "a b", "ab", "b", "z", "é", "中", "～", "😀");
    assertThat(page.hasMore()).isFalse();
    assertThat(page.nextCursor()).isNull();
    assertThat(page.entries().getFirst().valueAsUtf8()).isEqualTo("A");
  }

  @Test
  void list_withAPrefix_returnsOnlyKeysStartingWithIt() throws Exception {
    for (String key : List.of("user/1", "user/2", "user", "users/1", "userA", "a/user/3", "é/1")) {
      var _ = put(key, key, PutOptions.NONE);
    }

    assertThat(list("user/", null, 100).keys()).containsExactly("user/1", "user/2");
    assertThat(list("user", null, 100).keys())
        .containsExactly("user", "user/1", "user/2", "userA", "users/1");
    assertThat(list("é", null, 100).keys()).containsExactly("é/1");
    assertThat(list("nothing", null, 100).keys()).isEmpty();
  }

  @Test
  void list_pagesOf100_over250Keys_returnEveryKeyExactlyOnce_inOrder() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      keys.add("page/" + Integer.toString(i * 7919 % 1000, 36) + "-" + i);
    }
    for (String key : keys) {
      var _ = put(key, "v", PutOptions.NONE);
    }
    var _ = put("pagf/outside", "v", PutOptions.NONE);

    List<String> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    while (true) {
      StorePage page = list("page/", cursor, 100);
      pages++;
      sizes.add(page.entries().size());
      seen.addAll(page.keys());
      assertThat(pages).as("pages (cursor %s)", cursor).isLessThanOrEqualTo(10);
      if (!page.hasMore()) {
        assertThat(page.nextCursor()).isNull();
        break;
      }
      assertThat(page.nextCursor()).isEqualTo(page.keys().getLast());
      cursor = page.nextCursor();
    }

    List<String> expected = new ArrayList<>(keys);
    expected.sort(KeyOrder.UTF8);
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(new HashSet<>(seen)).hasSize(250);
    assertThat(sizes).containsExactly(100, 100, 50);
  }

  @Test
  void list_aCursorOutsideThePrefix_startsAtThePrefixOrEndsTheListing() throws Exception {
    for (String key : List.of("m/1", "m/2", "z")) {
      var _ = put(key, key, PutOptions.NONE);
    }

    assertThat(list("m/", "a", 10).keys()).containsExactly("m/1", "m/2");
    assertThat(list("m/", "m/1", 10).keys()).containsExactly("m/2");
    assertThat(list("m/", "n", 10).keys()).isEmpty();
    assertThat(list("", "m/2", 10).keys()).containsExactly("z");
  }

  @Test
  void list_anExactlyFullLastPage_saysWhetherMoreFollow() throws Exception {
    Set<String> keys = Set.of("f/1", "f/2", "f/3", "f/4");
    for (String key : keys) {
      var _ = put(key, key, PutOptions.NONE);
    }

    StorePage first = list("f/", null, 2);
    StorePage second = list("f/", first.nextCursor(), 2);

    assertThat(first.hasMore()).isTrue();
    assertThat(second.keys()).containsExactly("f/3", "f/4");
    if (second.hasMore()) {
      // allowed (a backend may not know yet); then the next page must be empty and final
      StorePage third = list("f/", second.nextCursor(), 2);
      assertThat(third.entries()).isEmpty();
      assertThat(third.hasMore()).isFalse();
    }
  }

  // ---- conditions under concurrency and with expiry ----

  @Test
  void concurrentOnlyIfAbsentPuts_from8Threads_haveExactlyOneWinner_in20Rounds() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 20; round++) {
        String key = "race/" + round;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> racers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String value = "t" + t;
          racers.add(
              pool.submit(
                  () -> {
                    start.await();
                    try {
                      return call(store().put(key, utf8(value), PutOptions.ifAbsent()));
                    } catch (AssertionError e) {
                      if (e.getCause() instanceof VersionConflictException conflict) {
                        return -conflict.actual(); // a loser: minus the winner's version
                      }
                      throw e;
                    }
                  }));
        }
        start.countDown();
        List<Long> outcomes = new ArrayList<>();
        for (Future<Long> racer : racers) {
          outcomes.add(racer.get(awaitBound().toMillis() * 2, TimeUnit.MILLISECONDS));
        }

        List<Long> winners = outcomes.stream().filter(v -> v > 0).toList();
        assertThat(winners).as("winners of round %d: %s", round, outcomes).hasSize(1);
        long won = winners.getFirst();
        // every loser saw the winner's version, and the entry is the winner's
        assertThat(outcomes.stream().filter(v -> v <= 0)).allMatch(v -> v == -won);
        StoreEntry entry = entry(key).orElseThrow();
        assertThat(entry.version()).isEqualTo(won);
        assertThat(entry.valueAsUtf8()).isEqualTo("t" + outcomes.indexOf(won));
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(awaitBound().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }
  }

  @Test
  void anOnlyIfAbsentLeaseWithTtl_blocksOthers_expires_andCanBeReacquired() throws Exception {
    long lease = put("lock", "a", PutOptions.ifAbsent().withTtl(shortTtl()));
    assertConflict(
        () -> store().put("lock", utf8("b"), PutOptions.ifAbsent().withTtl(shortTtl())), 0, lease);
    assertThat(entry("lock").orElseThrow().expiresAt()).isNotNull();

    advanceTime(shortTtl().plusMillis(50));

    assertThat(entry("lock")).isEmpty();
    long again = put("lock", "b", PutOptions.ifAbsent().withTtl(Duration.ofHours(1)));
    StoreEntry entry = entry("lock").orElseThrow();
    assertThat(again).isGreaterThan(lease);
    assertThat(entry.valueAsUtf8()).isEqualTo("b");
    assertThat(entry.expiresAt()).isNotNull();
  }

  @Test
  void aCompareAndSetWithTtl_setsTheExpiry_andTheEntryExpires() throws Exception {
    long v1 = put("k", "a", PutOptions.NONE);
    Instant before = now();
    long v2 = put("k", "b", PutOptions.ifVersion(v1).withTtl(shortTtl()));

    StoreEntry entry = entry("k").orElseThrow();
    assertThat(entry.version()).isEqualTo(v2);
    assertThat(entry.expiresAt())
        .isNotNull()
        .isCloseTo(
            before.plus(shortTtl()), within(expiryTolerance().toMillis(), ChronoUnit.MILLIS));
    advanceTime(shortTtl().plusMillis(50));
    assertThat(entry("k")).isEmpty();
  }

  @Test
  void aCompareAndSetWithoutTtl_clearsAnEarlierExpiry() throws Exception {
    long v1 = put("k", "a", PutOptions.ttl(shortTtl()));
    var _ = put("k", "b", PutOptions.ifVersion(v1));

    assertThat(entry("k").orElseThrow().expiresAt()).isNull();
    advanceTime(shortTtl().plusMillis(50));
    assertThat(entry("k").orElseThrow().valueAsUtf8()).isEqualTo("b");
  }

  // ---- keys ----

  @Test
  void keysWithSeparatorsBracesAndInternalNames_areOrdinaryKeys() throws Exception {
    List<String> keys =
        List.of("a:b", "{x}", "}{", "{", "idx", "seq", "exp", "e:k", "e:", "n", "v", "*", "[a]");
    for (String key : keys) {
      var _ = put(key, "value of " + key, PutOptions.NONE);
    }
    var _ = put("idx", "value of idx", PutOptions.NONE); // overwriting a key named like the index

    for (String key : keys) {
      assertThat(entry(key).orElseThrow().valueAsUtf8()).as(key).isEqualTo("value of " + key);
    }
    List<String> expected = new ArrayList<>(keys);
    expected.sort(KeyOrder.UTF8);
    assertThat(list("", null, 100).keys()).containsExactlyElementsOf(expected);
    assertThat(list("e:", null, 100).keys()).containsExactly("e:", "e:k");
    assertThat(call(store().delete("seq"))).isTrue();
    assertThat(put("after", "x", PutOptions.NONE)).as("the counter is intact").isPositive();
    assertThat(list("", null, 100).keys()).hasSize(keys.size()); // 'seq' gone, 'after' added
  }

  @Test
  void prefixesEndingAtTheHighestCodePoints_listTheirKeysOnly() throws Exception {
    String bmpMax = "\uFFFF";
    String max = new String(Character.toChars(0x10FFFF));
    List<String> keys =
        List.of(
            "a" + bmpMax,
            "a" + bmpMax + "x",
            "a" + bmpMax + max,
            "a" + max,
            "a" + max + max,
            "a" + max + "z",
            "b");
    for (String key : keys) {
      var _ = put(key, "v", PutOptions.NONE);
    }

    assertThat(list("a" + bmpMax, null, 100).keys())
        .containsExactly("a" + bmpMax, "a" + bmpMax + "x", "a" + bmpMax + max);
    assertThat(list("a" + max, null, 100).keys())
        .containsExactly("a" + max, "a" + max + "z", "a" + max + max);
    assertThat(list(max, null, 100).keys()).isEmpty();
    assertThat(list("a", "a" + max, 100).keys()).containsExactly("a" + max + "z", "a" + max + max);
  }

  // ---- listing: what pages carry and how to read on ----

  @Test
  void listedEntries_carryTheirValueVersionAndExpiry() throws Exception {
    long plain = put("l/plain", "p", PutOptions.NONE);
    Instant before = now();
    long expiring = put("l/ttl", "t", PutOptions.ttl(Duration.ofHours(1)));

    List<StoreEntry> entries = list("l/", null, 10).entries();

    assertThat(entries).hasSize(2);
    assertThat(entries.get(0).key()).isEqualTo("l/plain");
    assertThat(entries.get(0).valueAsUtf8()).isEqualTo("p");
    assertThat(entries.get(0).version()).isEqualTo(plain);
    assertThat(entries.get(0).expiresAt()).isNull();
    assertThat(entries.get(1).key()).isEqualTo("l/ttl");
    assertThat(entries.get(1).valueAsUtf8()).isEqualTo("t");
    assertThat(entries.get(1).version()).isEqualTo(expiring);
    assertThat(entries.get(1).expiresAt())
        .isNotNull()
        .isCloseTo(
            before.plus(Duration.ofHours(1)),
            within(expiryTolerance().toMillis(), ChronoUnit.MILLIS));
  }

  @Test
  void aCursorKeyDeletedBetweenPages_stillLeadsToTheRest() throws Exception {
    for (String key : List.of("c/1", "c/2", "c/3", "c/4", "c/5")) {
      var _ = put(key, key, PutOptions.NONE);
    }
    StorePage first = list("c/", null, 2);
    assertThat(first.nextCursor()).isEqualTo("c/2");
    var _ = call(store().delete("c/2"));
    var _ = call(store().delete("c/3"));

    StorePage second = list("c/", first.nextCursor(), 2);

    assertThat(second.keys()).containsExactly("c/4", "c/5");
  }

  @Test
  void aPageWithMoreButNoEntries_isReadOnByItsCursor_untilTheLiveEntriesAreFound()
      throws Exception {
    // More expired entries than a backend passes over in one call (1000 for both backends here),
    // so some page is empty yet has more: a client reads on by the cursor until hasMore is false.
    List<CompletionStage<Long>> writes = new ArrayList<>();
    for (int i = 0; i < 1100; i++) {
      writes.add(store().put(String.format("x/%05d", i), new byte[0], PutOptions.ttl(shortTtl())));
    }
    for (CompletionStage<Long> write : writes) {
      var _ = call(write);
    }
    var _ = put("x/live", "v", PutOptions.NONE);
    advanceTime(shortTtl().plusMillis(50));

    List<String> seen = new ArrayList<>();
    int emptyWithMore = 0;
    String cursor = null;
    for (int pages = 0; ; pages++) {
      assertThat(pages).as("pages").isLessThan(20);
      StorePage page = list("x/", cursor, 1);
      seen.addAll(page.keys());
      if (!page.hasMore()) {
        break;
      }
      if (page.entries().isEmpty()) {
        emptyWithMore++;
      }
      cursor = page.nextCursor();
    }

    assertThat(seen).containsExactly("x/live");
    assertThat(emptyWithMore).isPositive();
  }

  @Test
  void aPage_stopsOnceItsValuesPassTheByteBudget_andTheNextPageGoesOn() throws Exception {
    int size = 6 << 20; // three of them pass the 16 MiB page budget
    for (String key : List.of("big/1", "big/2", "big/3")) {
      byte[] value = new byte[size];
      value[0] = (byte) key.charAt(4);
      var _ = call(store().put(key, value, PutOptions.NONE));
    }

    StorePage first = list("big/", null, 10);
    StorePage second = list("big/", first.nextCursor(), 10);

    assertThat(first.keys()).containsExactly("big/1", "big/2");
    assertThat(first.hasMore()).isTrue();
    assertThat(second.keys()).containsExactly("big/3");
    assertThat(second.hasMore()).isFalse();
    assertThat(second.entries().getFirst().value()).hasSize(size).startsWith((byte) '3');
  }

  // ---- failures ----

  @Test
  void aClosedStore_failsEveryCall_withStoreUnavailable_namingStoreOperationAndKey() {
    store().close();
    store().close(); // idempotent

    assertUnavailable(store().put("k", utf8("v"), PutOptions.NONE), "put", "k");
    assertUnavailable(store().entry("k"), "entry", "k");
    assertUnavailable(store().has("k"), "has", "k");
    assertUnavailable(store().delete("k"), "delete", "k");
    assertUnavailable(store().list("p/", null, 10), "list", "p/");
  }

  // ---- helpers ----

  private static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }

  private long put(String key, String value, PutOptions options) throws InterruptedException {
    return call(store().put(key, utf8(value), options));
  }

  private Optional<StoreEntry> entry(String key) throws InterruptedException {
    return call(store().entry(key));
  }

  private StorePage list(String prefix, @Nullable String cursor, int limit)
      throws InterruptedException {
    return call(store().list(prefix, cursor, limit));
  }

  private <T> T call(CompletionStage<T> stage) throws InterruptedException {
    return join(stage, awaitBound(), "the store call");
  }

  private void assertConflict(StageCall write, long expected, long actual) {
    assertThatThrownBy(
            () -> {
              try {
                var _ =
                    write
                        .start()
                        .toCompletableFuture()
                        .get(awaitBound().toMillis(), TimeUnit.MILLISECONDS);
              } catch (ExecutionException e) {
                throw e.getCause() == null ? e : e.getCause();
              }
            })
        .isInstanceOfSatisfying(
            VersionConflictException.class,
            e -> {
              assertThat(e.store()).isEqualTo(store().name());
              assertThat(e.expected()).as("expected version").isEqualTo(expected);
              assertThat(e.actual()).as("actual version").isEqualTo(actual);
            });
  }

  private void assertUnavailable(CompletionStage<?> stage, String operation, String key) {
    assertThat(stage.toCompletableFuture())
        .failsWithin(awaitBound())
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(
            StoreUnavailableException.class,
            e -> {
              assertThat(e.store()).isEqualTo(store().name());
              assertThat(e.operation()).isEqualTo(operation);
              assertThat(e.key()).isEqualTo(key);
              assertThat(e.getMessage()).contains(store().name()).contains("'" + key + "'");
            });
  }

  @FunctionalInterface
  private interface StageCall {
    CompletionStage<Long> start();
  }
}
