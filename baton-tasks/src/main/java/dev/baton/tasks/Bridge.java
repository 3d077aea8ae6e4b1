package dev.baton.tasks;

import dev.baton.tasks.spi.BrokerInspection;
import java.util.Optional;
import java.util.Set;

/**
 * Where calls go and workers come from: in memory ({@link LocalBridge}) or through attached
 * adapters ({@link RemoteBridge}), as the seed's bridge. The engine validates and resolves a call
 * (options, id, signature) before handing it here.
 */
interface Bridge {

  /** Sends a call; the result is tracked in the engine's pending table until its outcome. */
  CallResult<?> call(CallRequest request);

  /** A task was registered (remote mode declares its queue). */
  void registered(TaskEntry entry);

  /** Starts {@code count} workers on {@code queue}; every {@code share} share a report lane. */
  void allocate(String queue, int count, int share);

  /** Attaches an adapter for {@code roles} (all it implements when empty). */
  Set<Role> use(Object adapter, Set<Role> roles);

  Optional<BrokerInspection> inspection();

  /** Stops consuming and lets workers finish within the grace period, then stops them. */
  void stopWorkers();

  /** Releases what the bridge holds (adapters are detached, not closed). */
  void close();
}
