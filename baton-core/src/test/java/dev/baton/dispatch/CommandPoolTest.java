package dev.baton.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CommandPoolTest {

  /** A pooled command: mutable, reset on release. */
  static final class Lookup implements Command<String> {
    String key = "";
    final AtomicBoolean inUse = new AtomicBoolean();

    @Override
    public CommandId commandId() {
      return CommandId.of(400);
    }
  }

  private final AtomicInteger created = new AtomicInteger();

  private CommandPool<Lookup> pool(int capacity) {
    return new CommandPool<>(
        capacity,
        () -> {
          created.incrementAndGet();
          return new Lookup();
        },
        lookup -> lookup.key = "");
  }

  @Test
  void acquire_fromAnEmptyPool_createsAnObject() {
    CommandPool<Lookup> pool = pool(4);

    assertThat(pool.acquire()).isNotNull();
    assertThat(created).hasValue(1);
  }

  @Test
  void release_thenAcquire_returnsTheSameObjectReset() {
    CommandPool<Lookup> pool = pool(4);
    Lookup lookup = pool.acquire();
    lookup.key = "user:42";

    pool.release(lookup);
    Lookup again = pool.acquire();

    assertThat(again).isSameAs(lookup);
    assertThat(again.key).isEmpty();
    assertThat(created).hasValue(1);
  }

  @Test
  void release_intoAFullPool_dropsTheObject() {
    CommandPool<Lookup> pool = pool(2);
    List<Lookup> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      five.add(pool.acquire());
    }
    five.forEach(pool::release);

    for (int i = 0; i < 5; i++) {
      pool.acquire();
    }

    assertThat(created).hasValue(5 + 3); // two came back from the pool, three were new
  }

  @Test
  void capacity_isRoundedUpToAPowerOfTwo_ofAtLeastTwo_andMustBePositive() {
    assertThat(pool(1).capacity()).isEqualTo(2);
    assertThat(pool(3).capacity()).isEqualTo(4);
    assertThat(pool(64).capacity()).isEqualTo(64);
    assertThatThrownBy(() -> pool(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPoolOfCapacityOne_keepsOneObject_andNeverHangs() {
    CommandPool<Lookup> pool = pool(1);
    Lookup first = pool.acquire();
    Lookup second = pool.acquire();

    pool.release(first);
    pool.release(second);

    assertThat(List.of(pool.acquire(), pool.acquire(), pool.acquire()))
        .contains(first, second)
        .doesNotHaveDuplicates();
  }

  @Test
  void concurrentAcquireAndRelease_onATinyPoolThatFillsAndWraps_neverHandOneObjectToTwoHolders()
      throws Exception {
    CommandPool<Lookup> pool = pool(2);
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    Concurrently.run(
        4,
        thread -> {
          for (int i = 0; i < 50_000; i++) {
            Lookup first = pool.acquire();
            Lookup second = pool.acquire();
            for (Lookup held : List.of(first, second)) {
              if (!held.inUse.compareAndSet(false, true)) {
                violations.add("an object was handed out twice");
              }
            }
            first.inUse.set(false);
            second.inUse.set(false);
            pool.release(second);
            pool.release(first);
          }
        });

    assertThat(violations).isEmpty();
  }
}
