package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A bounded, lock-free pool of reusable command objects, safe for many threads to acquire from and
 * release to (MPMC).
 *
 * <p><b>Design.</b> A ring of {@code capacity} cells with a sequence number per cell (Dmitry
 * Vyukov's bounded MPMC queue): a release claims the next free cell by advancing the tail with a
 * CAS, an acquire claims the next full cell by advancing the head. Neither allocates and neither
 * blocks: an acquire from an empty pool creates a new object with the factory, and a release into a
 * full pool drops the object for the garbage collector. So the pool bounds the memory it retains,
 * never the number of commands in flight.
 *
 * <p>Whether pooling pays depends on the command: {@code baton-bench} measures acquire and release
 * against plain allocation. Pool only where it measurably does.
 *
 * <p>A released object must not be used again by whoever released it; releasing the same object
 * twice corrupts the pool (two later acquirers share it), and the pool does not check for it.
 *
 * @param <T> the pooled type
 */
public final class CommandPool<T> {
  private static final VarHandle SEQUENCES = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle ELEMENTS = MethodHandles.arrayElementVarHandle(Object[].class);

  private final Supplier<? extends T> factory;
  private final Consumer<? super T> reset;
  private final int mask;

  /** Per cell: the position at which the cell may next be filled (equal) or emptied (one more). */
  private final long[] sequences;

  private final @Nullable Object[] elements;
  private final AtomicLong head = new AtomicLong();
  private final AtomicLong tail = new AtomicLong();

  /**
   * Creates a pool that retains at most {@code capacity} objects (rounded up to a power of two, and
   * at least 2: the ring's sequence numbers cannot tell a full cell from a free one with one cell).
   *
   * @param capacity how many released objects the pool may hold, at least 1
   * @param factory creates an object when the pool is empty
   * @param reset clears an object's fields when it is released, before it is pooled
   */
  public CommandPool(int capacity, Supplier<? extends T> factory, Consumer<? super T> reset) {
    if (capacity < 1 || capacity > (1 << 30)) {
      throw new IllegalArgumentException("capacity must be in 1..2^30, was " + capacity);
    }
    this.factory = requireNonNull(factory, "factory");
    this.reset = requireNonNull(reset, "reset");
    int size = Math.max(2, Integer.highestOneBit(capacity - 1) << 1);
    this.mask = size - 1;
    this.sequences = new long[size];
    this.elements = new Object[size];
    for (int i = 0; i < size; i++) {
      sequences[i] = i;
    }
  }

  /** Returns a pooled object, or a new one if the pool is empty. */
  public T acquire() {
    long position = head.get();
    while (true) {
      int cell = (int) position & mask;
      long sequence = (long) SEQUENCES.getAcquire(sequences, cell);
      long difference = sequence - (position + 1);
      if (difference == 0) {
        if (head.compareAndSet(position, position + 1)) {
          @SuppressWarnings("unchecked")
          T element = (T) ELEMENTS.get(elements, cell);
          ELEMENTS.set(elements, cell, null);
          SEQUENCES.setRelease(sequences, cell, position + mask + 1);
          return element;
        }
        position = head.get();
      } else if (difference < 0) {
        return factory.get(); // empty
      } else {
        position = head.get(); // another thread took this cell; look again
      }
    }
  }

  /**
   * Resets {@code element} and keeps it for a later {@link #acquire()}, unless the pool is full.
   */
  public void release(T element) {
    requireNonNull(element, "element");
    reset.accept(element);
    long position = tail.get();
    while (true) {
      int cell = (int) position & mask;
      long sequence = (long) SEQUENCES.getAcquire(sequences, cell);
      long difference = sequence - position;
      if (difference == 0) {
        if (tail.compareAndSet(position, position + 1)) {
          ELEMENTS.set(elements, cell, element);
          SEQUENCES.setRelease(sequences, cell, position + 1);
          return;
        }
        position = tail.get();
      } else if (difference < 0) {
        return; // full: let the garbage collector have it
      } else {
        position = tail.get();
      }
    }
  }

  /** The most objects this pool retains. */
  public int capacity() {
    return mask + 1;
  }
}
