package dev.baton.bench;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.CommandPool;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Measures whether {@link CommandPool} pays: acquiring a small mutable command from a pool of
 * capacity {@value #CAPACITY}, filling it and releasing it, against allocating the same command
 * with {@code new} and filling it.
 *
 * <p>Why: the pool's documentation says to pool only where it measurably pays. Allocation of a
 * short-lived object in a TLAB is a pointer bump, and the young collection of dead objects costs
 * little, while each pool round trip is two CASes (head and tail) plus the reset. Run with {@code
 * -prof gc} to see the other side of the trade: {@code gc.alloc.rate.norm} should be about 0 B/op
 * for the pool and the object's size for {@code new}.
 *
 * <p>The {@code ...TwoThreads} variants run two threads against one shared pool, so the head and
 * tail CASes contend (and their cache lines bounce) as they would with several worker threads; the
 * {@code new} variant has nothing to share. The pool starts half full, so the threads find objects
 * in it from the first operation. The allocated command is returned so it escapes and escape
 * analysis cannot remove the allocation; the pooled one is returned too, for symmetry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
// JMH 1.37 reads field offsets through sun.misc.Unsafe, which JDK 24+ warns about in every fork.
@Fork(value = 3, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class CommandPoolBenchmark {
  static final int CAPACITY = 64;

  /** Values written into each command; non-final fields, so not constants to the JIT. */
  public long tag = 42;

  /** See {@link #tag}. */
  public int key = 7;

  private final CommandPool<MutableCommand> pool =
      new CommandPool<>(CAPACITY, MutableCommand::new, MutableCommand::clear);

  /** Creates the pool and fills it half way. */
  public CommandPoolBenchmark() {
    MutableCommand[] warm = new MutableCommand[CAPACITY / 2];
    for (int i = 0; i < warm.length; i++) {
      warm[i] = pool.acquire();
    }
    for (MutableCommand command : warm) {
      pool.release(command);
    }
  }

  @Benchmark
  @Threads(1)
  public MutableCommand pooled() {
    return pooledRoundTrip();
  }

  @Benchmark
  @Threads(1)
  public MutableCommand allocated() {
    return new MutableCommand().fill(tag, key, this);
  }

  @Benchmark
  @Threads(2)
  public MutableCommand pooledTwoThreads() {
    return pooledRoundTrip();
  }

  @Benchmark
  @Threads(2)
  public MutableCommand allocatedTwoThreads() {
    return new MutableCommand().fill(tag, key, this);
  }

  private MutableCommand pooledRoundTrip() {
    MutableCommand command = pool.acquire().fill(tag, key, this);
    pool.release(command);
    return command;
  }

  /**
   * A small mutable command of the kind one would pool: an id and three fields (about 32 bytes with
   * compressed headers and references). Public because JMH's generated code names the return type.
   */
  public static final class MutableCommand implements Command<Object> {
    private static final CommandId ID = CommandId.of(300);

    private long tag;
    private int key;
    private @Nullable Object payload;

    /** Creates an empty command; the pool's factory. */
    public MutableCommand() {}

    MutableCommand fill(long tag, int key, Object payload) {
      this.tag = tag;
      this.key = key;
      this.payload = payload;
      return this;
    }

    /** The pool's reset: drops the payload so a pooled command retains nothing. */
    void clear() {
      tag = 0;
      key = 0;
      payload = null;
    }

    @Override
    public CommandId commandId() {
      return ID;
    }

    /** The tag, so the fields are read somewhere. */
    public long tag() {
      return tag + key + (payload == null ? 0 : 1);
    }
  }
}
