package dev.baton.modules.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.Registry;
import dev.baton.process.Event;
import dev.baton.process.Pid;
import dev.baton.process.ProcessResult;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store module's commands through processes (coroutines and step processes) on a node with the
 * in-memory {@code default} store, a second in-memory store and a backend that never answers, on
 * manual time.
 */
class StoreModuleTest {

  private final HangingStore hanging = new HangingStore("hanging");
  private TestNode node;

  @BeforeEach
  void boot() {
    node =
        TestNode.builder()
            .manualTime()
            .component(
                Stores.component(
                    time ->
                        List.of(
                            new InMemoryStore(Store.DEFAULT_STORE, time),
                            new InMemoryStore("other", time),
                            hanging)))
            .dispatcher(new StoreModule())
            .build();
  }

  @AfterEach
  void shutdown() {
    node.close();
  }

  // ---- each command, coroutine style ----

  @Test
  void setThenGet_inCoroutine_returnsTheValueAndVersion() {
    long version = node.callInCoroutine(Store.Set.utf8("greeting", "hello"));
    byte[] value = node.callInCoroutine(new Store.Get("greeting"));

    assertThat(version).isPositive();
    assertThat(new String(value, UTF_8)).isEqualTo("hello");
  }

  @Test
  void storesAreSeparate_aKeySetInOneIsAbsentInAnother() {
    var _ = node.callInCoroutine(new Store.Set("other", "k", Store.utf8("v")));

    assertThat(node.callInCoroutine(new Store.Has("other", "k"))).isTrue();
    assertThat(node.callInCoroutine(new Store.Has("k"))).isFalse();
  }

  @Test
  void hasAndDelete_inCoroutine_reportWhetherTheKeyExisted() {
    var _ = node.callInCoroutine(Store.Set.utf8("k", "v"));

    assertThat(node.callInCoroutine(new Store.Has("k"))).isTrue();
    assertThat(node.callInCoroutine(new Store.Delete("k"))).isTrue();
    assertThat(node.callInCoroutine(new Store.Has("k"))).isFalse();
    assertThat(node.callInCoroutine(new Store.Delete("k"))).isFalse();
  }

  @Test
  void entry_inCoroutine_carriesVersionAndExpiry_andIsEmptyWhenAbsent() {
    long version =
        node.callInCoroutine(Store.Put.utf8("k", "v", Store.PutOptions.ttl(Duration.ofMinutes(1))));

    Optional<StoreEntry> entry = node.callInCoroutine(new Store.Entry("k"));

    assertThat(entry).isPresent();
    assertThat(entry.get().version()).isEqualTo(version);
    assertThat(entry.get().valueAsUtf8()).isEqualTo("v");
    assertThat(entry.get().expiresAt()).isEqualTo(node.time().now().plus(Duration.ofMinutes(1)));
    assertThat(node.callInCoroutine(new Store.Entry("absent"))).isEmpty();
  }

  @Test
  void list_inCoroutine_pagesThroughAPrefixInByteOrder() {
    for (String key : List.of("user/b", "user/a", "user/é", "user/B", "other/x")) {
      var _ = node.callInCoroutine(Store.Set.utf8(key, key));
    }

    StorePage first = node.callInCoroutine(new Store.List("user/", null, 3));
    StorePage second = node.callInCoroutine(new Store.List("user/", first.nextCursor(), 3));

    assertThat(first.keys()).containsExactly("user/B", "user/a", "user/b");
    assertThat(first.hasMore()).isTrue();
    assertThat(second.keys()).containsExactly("user/é");
    assertThat(second.hasMore()).isFalse();
    assertThat(second.nextCursor()).isNull();
  }

  @Test
  void putIfVersion_withTheCurrentVersion_writes_andWithAnOldOne_failsNamingTheActual() {
    long v1 = node.callInCoroutine(Store.Set.utf8("counter", "1"));
    long v2 = node.callInCoroutine(Store.Put.utf8("counter", "2", Store.PutOptions.ifVersion(v1)));

    assertThatThrownBy(
            () ->
                node.callInCoroutine(
                    Store.Put.utf8("counter", "3", Store.PutOptions.ifVersion(v1))))
        .isInstanceOfSatisfying(
            VersionConflictException.class,
            e -> {
              assertThat(e.store()).isEqualTo("default");
              assertThat(e.key()).isEqualTo("counter");
              assertThat(e.expected()).isEqualTo(v1);
              assertThat(e.actual()).isEqualTo(v2);
            });
    assertThat(new String(node.callInCoroutine(new Store.Get("counter")), UTF_8)).isEqualTo("2");
  }

  @Test
  void putIfAbsent_onAnExistingKey_failsWithActualVersion() {
    long v1 = node.callInCoroutine(Store.Set.utf8("k", "v"));

    assertThatThrownBy(
            () -> node.callInCoroutine(Store.Put.utf8("k", "w", Store.PutOptions.ifAbsent())))
        .isInstanceOfSatisfying(
            VersionConflictException.class,
            e -> {
              assertThat(e.expected()).isZero();
              assertThat(e.actual()).isEqualTo(v1);
            });
  }

  @Test
  void putWithTtl_onManualTime_expires_andGetThenFailsWithKeyNotFound() {
    var _ =
        node.callInCoroutine(
            Store.Put.utf8("session", "s", Store.PutOptions.ttl(Duration.ofSeconds(30))));
    node.manualTime().advance(Duration.ofSeconds(29));
    assertThat(node.callInCoroutine(new Store.Has("session"))).isTrue();

    node.manualTime().advance(Duration.ofSeconds(1));

    assertThat(node.callInCoroutine(new Store.Has("session"))).isFalse();
    assertThatThrownBy(() -> node.callInCoroutine(new Store.Get("session")))
        .isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void get_ofAnUnknownKey_inCoroutine_failsWithKeyNotFoundNamingStoreAndKey() {
    assertThatThrownBy(() -> node.callInCoroutine(new Store.Get("nope")))
        .isInstanceOfSatisfying(
            KeyNotFoundException.class,
            e -> {
              assertThat(e.store()).isEqualTo("default");
              assertThat(e.key()).isEqualTo("nope");
              assertThat(e).hasMessageContaining("'default'").hasMessageContaining("'nope'");
            });
  }

  @Test
  void anUnknownStore_inCoroutine_failsWithStoreNotFoundNamingTheStoresThereAre() {
    assertThatThrownBy(() -> node.callInCoroutine(new Store.Get("missing", "k")))
        .isInstanceOfSatisfying(
            StoreNotFoundException.class,
            e -> {
              assertThat(e.store()).isEqualTo("missing");
              assertThat(e.known()).containsExactly("default", "hanging", "other");
              assertThat(e).hasMessageContaining("default, hanging, other");
            });
  }

  @Test
  void compareAndSetIncrements_from8Coroutines_loseNoUpdate() {
    var _ = node.callInCoroutine(Store.Set.utf8("counter", "0"));
    List<TestNode.Started> workers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      workers.add(
          node.startCoroutine(
              (process, input) -> {
                for (int i = 0; i < 25; i++) {
                  while (true) {
                    StoreEntry current = process.call(new Store.Entry("counter")).orElseThrow();
                    long next = Long.parseLong(current.valueAsUtf8()) + 1;
                    try {
                      var _ =
                          process.call(
                              Store.Put.utf8(
                                  "counter",
                                  Long.toString(next),
                                  Store.PutOptions.ifVersion(current.version())));
                      break;
                    } catch (VersionConflictException conflict) {
                      // another process wrote first: read again
                    }
                  }
                }
                return null;
              },
              null));
    }

    for (TestNode.Started worker : workers) {
      assertThat(worker.await().error()).isNull();
    }
    assertThat(new String(node.callInCoroutine(new Store.Get("counter")), UTF_8)).isEqualTo("200");
  }

  // ---- step style ----

  @Test
  void eachCommand_fromAStepProcess_completesWithItsResult() {
    Event.Completion set = node.yieldFromStep(Store.Set.utf8("k", "v"));
    assertThat(set.error()).isNull();
    long version = (Long) result(set);

    assertThat(result(node.yieldFromStep(new Store.Get("k")))).isEqualTo(Store.utf8("v"));
    assertThat(result(node.yieldFromStep(new Store.Has("k")))).isEqualTo(true);
    assertThat(result(node.yieldFromStep(new Store.Entry("k"))))
        .isInstanceOfSatisfying(
            Optional.class,
            entry -> assertThat(((StoreEntry) entry.orElseThrow()).version()).isEqualTo(version));
    assertThat(result(node.yieldFromStep(new Store.List("", null, 10))))
        .isInstanceOfSatisfying(
            StorePage.class, page -> assertThat(page.keys()).containsExactly("k"));
    long put =
        (Long)
            result(
                node.yieldFromStep(Store.Put.utf8("k", "w", Store.PutOptions.ifVersion(version))));
    assertThat(put).isGreaterThan(version);
    assertThat(result(node.yieldFromStep(new Store.Delete("k")))).isEqualTo(true);
  }

  @Test
  void errors_fromAStepProcess_arriveAsTheCompletionsError() {
    assertThat(node.yieldFromStep(new Store.Get("nope")).error())
        .isInstanceOf(KeyNotFoundException.class);
    assertThat(node.yieldFromStep(new Store.Get("missing", "k")).error())
        .isInstanceOf(StoreNotFoundException.class);
    var _ = node.yieldFromStep(Store.Set.utf8("k", "v"));
    assertThat(node.yieldFromStep(Store.Put.utf8("k", "w", Store.PutOptions.ifAbsent())).error())
        .isInstanceOfSatisfying(
            VersionConflictException.class, e -> assertThat(e.actual()).isPositive());
  }

  // ---- validation ----

  @Test
  @SuppressWarnings("NullAway") // passing null is what is tested
  void commands_refuseBlankOverlongOrMalformedKeys_andBadLimits_namingTheProblem() {
    assertThatThrownBy(() -> new Store.Get(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
    assertThatThrownBy(() -> new Store.Set("", Store.utf8("v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
    assertThatThrownBy(() -> new Store.Delete("é".repeat(513)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1024 UTF-8 bytes");
    assertThat(new Store.Has("é".repeat(512)).key()).hasSize(512);
    assertThatThrownBy(() -> new Store.Entry("a\uD800b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> new Store.List("", null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
    assertThatThrownBy(() -> new Store.List("", null, 1001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
    assertThatThrownBy(() -> new Store.Get("bad:name", "k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("store name");
    assertThatThrownBy(() -> new Store.Set("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("value");
    assertThatThrownBy(() -> new Store.PutOptions(null, true, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("onlyIfAbsent");
    assertThatThrownBy(() -> Store.PutOptions.ttl(Duration.ofNanos(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 ms");
  }

  @Test
  void putOptions_refuseATtlOverOneHundredYears_insteadOfOverflowingInABackend() {
    assertThatThrownBy(() -> Store.PutOptions.ttl(Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl")
        .hasMessageContaining("36525 days");
    assertThatThrownBy(() -> Store.PutOptions.ifAbsent().withTtl(Duration.ofDays(36_526)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl");
    assertThat(Store.PutOptions.ttl(Store.MAX_TTL).ttl()).isEqualTo(Duration.ofDays(36_525));
  }

  @Test
  void setAndPut_refuseAValueOver16MiB_namingTheKeyAndBothSizes() {
    byte[] tooLarge = new byte[Store.MAX_VALUE_BYTES + 1];

    assertThatThrownBy(() -> new Store.Set("blob", tooLarge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'blob'")
        .hasMessageContaining(Integer.toString(Store.MAX_VALUE_BYTES + 1))
        .hasMessageContaining(Integer.toString(Store.MAX_VALUE_BYTES));
    assertThatThrownBy(() -> new Store.Put("blob", tooLarge, Store.PutOptions.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'blob'");
    assertThat(new Store.Set("blob", new byte[Store.MAX_VALUE_BYTES]).value()).hasSize(16 << 20);
  }

  // ---- cancellation ----

  @Test
  void terminatingACoroutine_whileItsGetIsPending_cancelsTheBackendCall() {
    TestNode.Started started =
        node.startCoroutine((process, input) -> process.call(new Store.Get("hanging", "k")), null);
    Pid pid = started.pid();
    TestNode.awaitCondition("the backend call", () -> hanging.pending.size() == 1);
    node.awaitWaiting(pid);

    node.scheduler().terminate(pid, "test");
    ProcessResult result = started.await();

    assertThat(result.error()).isNotNull();
    TestNode.awaitCondition(
        "the pending call to be cancelled", () -> hanging.pending.getFirst().isCancelled());
  }

  @Test
  void terminatingAStepProcess_whileItsPutIsPending_cancelsTheBackendCall() {
    TestNode.Started started =
        node.startStep(
            new TestNode.YieldOnce(
                new Store.Put("hanging", "k", Store.utf8("v"), Store.PutOptions.ifAbsent())),
            null);
    Pid pid = started.pid();
    TestNode.awaitCondition("the backend call", () -> hanging.pending.size() == 1);
    node.awaitWaiting(pid);

    node.scheduler().terminate(pid, "test");

    assertThat(started.await().error()).isNotNull();
    TestNode.awaitCondition(
        "the pending call to be cancelled", () -> hanging.pending.getFirst().isCancelled());
  }

  @Test
  void aCallerGoneMidCommand_completesWithACancellation_andItsCancelRegistrationIsReleased()
      throws Exception {
    Handler get = handler(Store.GET);
    RecordingContext context = new RecordingContext(node.services());
    List<Object> completions = new CopyOnWriteArrayList<>();

    get.handle(
        context,
        new Store.Get("hanging", "k"),
        7,
        (tag, value, error) -> completions.add(error == null ? String.valueOf(value) : error));
    assertThat(context.liveRegistrations()).isEqualTo(1);

    context.cancel();

    assertThat(hanging.pending.getFirst().isCancelled()).isTrue();
    assertThat(completions).singleElement().isInstanceOf(CancellationException.class);
    assertThat(context.liveRegistrations()).isZero();
  }

  @Test
  void aCallThatCompletesFirst_completesOnce_andRemovesItsCancelRegistration() throws Exception {
    Handler has = handler(Store.HAS);
    RecordingContext context = new RecordingContext(node.services());
    List<Object> completions = new CopyOnWriteArrayList<>();

    has.handle(
        context,
        new Store.Has("hanging", "k"),
        7,
        (tag, value, error) -> completions.add(tag + "=" + value));
    @SuppressWarnings("unchecked")
    var pending =
        (java.util.concurrent.CompletableFuture<Optional<StoreEntry>>) hanging.pending.getFirst();
    pending.complete(Optional.empty());
    context.cancel();

    assertThat(completions).containsExactly("7=false");
    assertThat(context.liveRegistrations()).isZero();
  }

  @Test
  void aCallerAlreadyGone_startsNoBackendCall_andCompletesWithACancellation() throws Exception {
    RecordingContext context = new RecordingContext(node.services());
    context.cancel();
    List<@Nullable Throwable> errors = new CopyOnWriteArrayList<>();

    handler(Store.DELETE)
        .handle(context, new Store.Delete("hanging", "k"), 1, (t, v, e) -> errors.add(e));

    assertThat(hanging.pending).isEmpty();
    assertThat(errors).singleElement().isInstanceOf(CancellationException.class);
  }

  @Test
  void aGetPastItsYieldDeadline_cancelsTheBackendCall_whileTheProcessGoesOn() {
    TestNode.Started started =
        node.startCoroutine(
            (p, input) -> {
              try {
                p.call(new Store.Get("hanging", "k"), Duration.ofSeconds(1));
                return "no timeout";
              } catch (YieldTimeoutException expected) {
                return p.call(new Store.Has("k"));
              }
            },
            null);
    TestNode.awaitCondition("the backend call", () -> !hanging.pending.isEmpty());
    node.awaitWaiting(started.pid());

    node.manualTime().advance(Duration.ofSeconds(1));

    assertThat(started.await().value()).isEqualTo(false);
    assertThat(hanging.pending).singleElement().matches(CompletableFuture::isCancelled);
  }

  private Handler handler(dev.baton.dispatch.CommandId id) {
    return requireNonNull(node.services().require(Registry.KEY).handler(id), "handler");
  }

  private static Object result(Event.Completion completion) {
    assertThat(completion.error()).isNull();
    return requireNonNull(completion.result(), "result");
  }

  /** A caller that is not a process, counting the cancellation callbacks registered and live. */
  private static final class RecordingContext implements CommandContext {
    private final AppContext services;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final List<Runnable> actions = new ArrayList<>();
    private final AtomicInteger live = new AtomicInteger();

    RecordingContext(AppContext services) {
      this.services = services;
    }

    int liveRegistrations() {
      return live.get();
    }

    void cancel() {
      List<Runnable> toRun;
      synchronized (actions) {
        cancelled.set(true);
        toRun = List.copyOf(actions);
        actions.clear();
      }
      toRun.forEach(Runnable::run);
    }

    @Override
    public Object caller() {
      return "test";
    }

    @Override
    public boolean isCancelled() {
      return cancelled.get();
    }

    @Override
    public Registration onCancel(Runnable action) {
      AtomicBoolean active = new AtomicBoolean(true);
      Runnable once =
          () -> {
            if (active.compareAndSet(true, false)) {
              live.decrementAndGet();
              action.run();
            }
          };
      live.incrementAndGet();
      synchronized (actions) {
        if (!cancelled.get()) {
          actions.add(once);
          return () -> {
            boolean removed = active.compareAndSet(true, false);
            if (removed) {
              live.decrementAndGet();
            }
            return removed;
          };
        }
      }
      once.run();
      return () -> false;
    }

    @Override
    public AppContext services() {
      return services;
    }
  }
}
