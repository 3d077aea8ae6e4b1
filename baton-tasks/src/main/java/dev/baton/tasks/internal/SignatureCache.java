package dev.baton.tasks.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A concurrent memo of what is prepared per signature or per type (correctors, Jackson readers and
 * writers), so that work done once at registration is not redone per call by code that is handed
 * only a {@link dev.baton.tasks.TaskSignature}.
 *
 * <p>Bounded: an app has a bounded set of task signatures, but a caller could build fresh
 * signatures without end; past {@value #MAX_ENTRIES} entries values are computed without being
 * kept, which costs time, never memory. A hit is one hash lookup ({@code TaskSignature} is a
 * record: equal signatures share an entry, and the same instance is found by identity first).
 * Thread-safe; two threads may compute the same value once each on a miss, which is harmless
 * because values are immutable and equivalent.
 *
 * @param <K> the key: a signature or a type, with value equality
 * @param <V> what is prepared for it
 */
final class SignatureCache<K, V> {

  static final int MAX_ENTRIES = 4096;

  private final ConcurrentHashMap<K, V> entries = new ConcurrentHashMap<>();
  private final Function<K, V> prepare;

  SignatureCache(Function<K, V> prepare) {
    this.prepare = prepare;
  }

  V get(K key) {
    V value = entries.get(key);
    if (value != null) {
      return value;
    }
    value = prepare.apply(key);
    if (entries.size() < MAX_ENTRIES) {
      V raced = entries.putIfAbsent(key, value);
      if (raced != null) {
        return raced;
      }
    }
    return value;
  }
}
