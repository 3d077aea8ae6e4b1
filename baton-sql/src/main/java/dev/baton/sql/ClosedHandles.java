package dev.baton.sql;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The most recent handles whose transaction ended, so that a process using one gets {@link
 * TransactionClosedException} ("was committed") rather than a bare "no such handle". Bounded: the
 * oldest of more than {@value #CAPACITY} are forgotten (their users then get {@code
 * HandleNotFoundException}), so a long-lived process running millions of transactions holds no
 * memory for them. Thread-safe (a monitor around an access-ordered map).
 */
final class ClosedHandles {
  static final int CAPACITY = 4096;

  /** What became of a handle. */
  record Closed(Object owner, String database, long transaction, String how) {}

  @GuardedBy("this")
  private final Map<Long, Closed> byHandle =
      new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Closed> eldest) {
          return size() > CAPACITY;
        }
      };

  synchronized void record(long handle, Closed closed) {
    byHandle.put(handle, closed);
  }

  /** The record of {@code handle} if {@code owner} owned it, else null. */
  synchronized @Nullable Closed find(long handle, Object owner) {
    Closed closed = byHandle.get(handle);
    return closed != null && closed.owner().equals(owner) ? closed : null;
  }
}
