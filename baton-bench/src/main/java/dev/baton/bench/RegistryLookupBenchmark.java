package dev.baton.bench;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registry;
import java.util.HashMap;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Measures the cost of {@link Registry#handler(int)}, the lookup the {@link
 * dev.baton.dispatch.CommandRouter} does for every command a process yields.
 *
 * <p>Why: the registry's design claims that once frozen a lookup is a volatile read plus array
 * loads (a direct index for system ids, an open-addressed probe of primitive ints for custom ids),
 * with no lock and no boxing. This benchmark checks that claim against the frozen registry's
 * neighbours:
 *
 * <ul>
 *   <li>{@code frozenSystemId}, {@code frozenCustomId}: the production path, after {@link
 *       Registry#freeze()};
 *   <li>{@code unfrozenSystemId}, {@code unfrozenCustomId}: the same lookups on a registry never
 *       frozen, which take the registry's lock (uncontended here) and, for a custom id, box it into
 *       a {@link HashMap} key;
 *   <li>{@code hashMapLookup}: what a naive design would do, a {@code HashMap<Integer, Handler>}
 *       get with the id boxed from an int field (300 is outside the {@link Integer} cache of
 *       -128..127, so the box is a real allocation unless escape analysis removes it);
 *   <li>{@code bareArrayLoad}: the floor, a {@code Handler[]} indexed by an int field.
 * </ul>
 *
 * <p>The registries hold a system handler for id {@value #SYSTEM_ID} (in the range Baton keeps for
 * future modules but leaves open to user modules; 1-199 belong to the standard modules), a custom
 * handler for {@value #CUSTOM_ID}, and {@value #OTHER_CUSTOM_IDS} other custom handlers, so the
 * custom table has realistic occupancy and probing. The ids are read from non-final fields so the
 * JIT cannot constant-fold the lookups; each method returns the handler so JMH consumes it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
// JMH 1.37 reads field offsets through sun.misc.Unsafe, which JDK 24+ warns about in every fork.
@Fork(value = 3, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class RegistryLookupBenchmark {
  static final int SYSTEM_ID = 200;
  static final int CUSTOM_ID = 300;
  static final int OTHER_CUSTOM_IDS = 20;
  private static final String MODULE = "bench";

  /** The system id looked up; a non-final field, so not a constant to the JIT. */
  public int systemId = SYSTEM_ID;

  /** The custom id looked up; a non-final field, so not a constant to the JIT. */
  public int customId = CUSTOM_ID;

  private final Registry frozen = populated();
  private final Registry unfrozen = populated();
  private final Map<Integer, Handler> hashMap = new HashMap<>();
  private final @Nullable Handler[] array = new Handler[CommandId.FIRST_CUSTOM];

  /** Builds the registries and the baselines; JMH instantiates the state once per trial. */
  public RegistryLookupBenchmark() {
    frozen.freeze();
    for (int id : allIds()) {
      hashMap.put(id, requireNonNull(frozen.handler(id)));
    }
    array[SYSTEM_ID] = frozen.handler(SYSTEM_ID);
  }

  @Benchmark
  public @Nullable Handler frozenSystemId() {
    return frozen.handler(systemId);
  }

  @Benchmark
  public @Nullable Handler frozenCustomId() {
    return frozen.handler(customId);
  }

  @Benchmark
  public @Nullable Handler unfrozenSystemId() {
    return unfrozen.handler(systemId);
  }

  @Benchmark
  public @Nullable Handler unfrozenCustomId() {
    return unfrozen.handler(customId);
  }

  @Benchmark
  public @Nullable Handler hashMapLookup() {
    return hashMap.get(customId);
  }

  @Benchmark
  public @Nullable Handler bareArrayLoad() {
    return array[systemId];
  }

  /** A registry in which module {@value #MODULE} reserved and registered a handler per id. */
  private static Registry populated() {
    Registry registry = new Registry();
    int[] ids = allIds();
    CommandId[] commandIds = new CommandId[ids.length];
    for (int i = 0; i < ids.length; i++) {
      commandIds[i] = CommandId.of(ids[i]);
    }
    registry.reservations().reserve(MODULE, commandIds);
    Registrar registrar = registry.registrar(MODULE);
    for (CommandId id : commandIds) {
      registrar.register(id, handlerFor(id));
    }
    return registry;
  }

  /** A distinct handler per id, so the lookups cannot all return one shared object. */
  private static Handler handlerFor(CommandId id) {
    return (context, command, tag, receiver) -> receiver.completeYield(tag, id, null);
  }

  /** The system id, the custom id, and the other custom ids, spread over the custom range. */
  private static int[] allIds() {
    int[] ids = new int[2 + OTHER_CUSTOM_IDS];
    ids[0] = SYSTEM_ID;
    ids[1] = CUSTOM_ID;
    for (int i = 0; i < OTHER_CUSTOM_IDS; i++) {
      ids[2 + i] = 1000 + 97 * i;
    }
    return ids;
  }
}
