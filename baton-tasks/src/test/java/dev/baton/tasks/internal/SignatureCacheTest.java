package dev.baton.tasks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SignatureCacheTest {

  @Test
  void equalKeysArePreparedOnce() {
    AtomicInteger prepared = new AtomicInteger();
    SignatureCache<String, Object> cache =
        new SignatureCache<>(
            key -> {
              prepared.incrementAndGet();
              return new Object();
            });

    Object first = cache.get(new String("task"));

    assertThat(cache.get(new String("task"))).isSameAs(first);
    assertThat(prepared).hasValue(1);
  }

  @Test
  void pastItsBoundItStillAnswersButKeepsNothingMore() {
    AtomicInteger prepared = new AtomicInteger();
    SignatureCache<Integer, Integer> cache =
        new SignatureCache<>(
            key -> {
              prepared.incrementAndGet();
              return key * 2;
            });
    for (int i = 0; i < SignatureCache.MAX_ENTRIES; i++) {
      cache.get(i);
    }
    int before = prepared.get();

    assertThat(cache.get(-1)).isEqualTo(-2);
    assertThat(cache.get(-1)).isEqualTo(-2);
    assertThat(prepared.get() - before).isEqualTo(2);
    assertThat(cache.get(0)).isZero();
    assertThat(prepared.get() - before).isEqualTo(2);
  }
}
