package dev.baton.process;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Who watches whom, with Erlang's semantics: monitors (one-way; the watcher always hears of the
 * target's end), links (two-way; a failure ends the other side unless it traps links), unique
 * names, and which processes trap links.
 *
 * <p>It keeps its own set of live pids, changed under the same lock as the relations, so a monitor
 * or link set up concurrently with the target's end is either refused (target gone) or seen by that
 * end: never silently lost. Not on the dispatch hot path: one lock guards everything.
 */
final class Topology {
  /** What {@link #ended} found to notify, computed under the lock and acted on outside it. */
  record Fallout(List<Pid> watchers, List<Pid> linked, Set<Pid> trapping) {}

  private final Object lock = new Object();

  /** Whether a pid is in the scheduler's table. */
  private final Predicate<Pid> alive;

  @GuardedBy("lock")
  private final Map<Pid, Set<Pid>> watchersOf = new HashMap<>();

  @GuardedBy("lock")
  private final Map<Pid, Set<Pid>> watchedBy = new HashMap<>();

  @GuardedBy("lock")
  private final Map<Pid, Set<Pid>> links = new HashMap<>();

  @GuardedBy("lock")
  private final Map<String, Pid> names = new HashMap<>();

  @GuardedBy("lock")
  private final Map<Pid, String> nameOf = new HashMap<>();

  @GuardedBy("lock")
  private final Set<Pid> trapping = new HashSet<>();

  Topology(Predicate<Pid> alive) {
    this.alive = alive;
  }

  /**
   * Adds a new process with its spawn options, atomically: if the name is taken nothing is added.
   *
   * @throws NameTakenException if {@code options.name()} belongs to a live process
   * @throws ProcessNotFoundException if the parent has ended
   */
  void add(Pid pid, SpawnOptions options) {
    if (options.equals(SpawnOptions.NONE)) {
      return; // nothing to record until a link, monitor or name is asked for
    }
    synchronized (lock) {
      String name = options.name();
      if (name != null && names.containsKey(name)) {
        throw new NameTakenException(name, names.get(name));
      }
      Pid parent = options.parent();
      if (parent != null && (options.link() || options.monitor()) && !alive.test(parent)) {
        throw new ProcessNotFoundException(parent);
      }
      if (name != null) {
        names.put(name, pid);
        nameOf.put(pid, name);
      }
      if (options.trapLinks()) {
        trapping.add(pid);
      }
      if (parent != null && options.link()) {
        linkLocked(parent, pid);
      }
      if (parent != null && options.monitor()) {
        monitorLocked(parent, pid);
      }
    }
  }

  /** Removes a process that was added but whose spawn failed afterwards; notifies nobody. */
  void discard(Pid pid) {
    ended(pid, false);
  }

  /**
   * Removes an ended process and every relation it had.
   *
   * @param abnormal whether it failed, in which case its links must hear of it
   * @return whom to notify
   */
  Fallout ended(Pid pid, boolean abnormal) {
    synchronized (lock) {
      Set<Pid> watchers = watchersOf.remove(pid);
      if (watchers != null) {
        watchers.forEach(watcher -> removeFrom(watchedBy, watcher, pid));
      }
      Set<Pid> watched = watchedBy.remove(pid);
      if (watched != null) {
        watched.forEach(target -> removeFrom(watchersOf, target, pid));
      }
      Set<Pid> linked = links.remove(pid);
      if (linked != null) {
        linked.forEach(other -> removeFrom(links, other, pid));
      }
      String name = nameOf.remove(pid);
      if (name != null) {
        names.remove(name);
      }
      trapping.remove(pid);
      return new Fallout(
          watchers == null ? List.of() : List.copyOf(watchers),
          linked == null || !abnormal ? List.of() : List.copyOf(linked),
          linked == null || !abnormal ? Set.of() : Set.copyOf(intersect(linked, trapping)));
    }
  }

  void monitor(Pid watcher, Pid target) {
    synchronized (lock) {
      requireAlive(watcher);
      requireAlive(target);
      monitorLocked(watcher, target);
    }
  }

  /** Returns whether the monitor existed. */
  boolean demonitor(Pid watcher, Pid target) {
    synchronized (lock) {
      removeFrom(watchedBy, watcher, target);
      return removeFrom(watchersOf, target, watcher);
    }
  }

  void link(Pid a, Pid b) {
    synchronized (lock) {
      requireAlive(a);
      requireAlive(b);
      linkLocked(a, b);
    }
  }

  /** Returns whether the link existed. */
  boolean unlink(Pid a, Pid b) {
    synchronized (lock) {
      removeFrom(links, b, a);
      return removeFrom(links, a, b);
    }
  }

  void trapLinks(Pid pid, boolean trap) {
    synchronized (lock) {
      requireAlive(pid);
      if (trap) {
        trapping.add(pid);
      } else {
        trapping.remove(pid);
      }
    }
  }

  void register(String name, Pid pid) {
    synchronized (lock) {
      requireAlive(pid);
      Pid holder = names.get(name);
      if (holder != null && !holder.equals(pid)) {
        throw new NameTakenException(name, holder);
      }
      String previous = nameOf.put(pid, name);
      if (previous != null && !previous.equals(name)) {
        names.remove(previous);
      }
      names.put(name, pid);
    }
  }

  /** Returns whether the name was registered. */
  boolean unregister(String name) {
    synchronized (lock) {
      Pid pid = names.remove(name);
      if (pid == null) {
        return false;
      }
      nameOf.remove(pid);
      return true;
    }
  }

  Optional<Pid> whereis(String name) {
    synchronized (lock) {
      return Optional.ofNullable(names.get(name));
    }
  }

  @GuardedBy("lock")
  private void monitorLocked(Pid watcher, Pid target) {
    watchersOf.computeIfAbsent(target, key -> new HashSet<>()).add(watcher);
    watchedBy.computeIfAbsent(watcher, key -> new HashSet<>()).add(target);
  }

  @GuardedBy("lock")
  private void linkLocked(Pid a, Pid b) {
    if (a.equals(b)) {
      throw new IllegalArgumentException("a process cannot link to itself: " + a);
    }
    links.computeIfAbsent(a, key -> new HashSet<>()).add(b);
    links.computeIfAbsent(b, key -> new HashSet<>()).add(a);
  }

  @GuardedBy("lock")
  private void requireAlive(Pid pid) {
    if (!alive.test(pid)) {
      throw new ProcessNotFoundException(pid);
    }
  }

  private static boolean removeFrom(Map<Pid, Set<Pid>> relation, Pid key, Pid value) {
    @Nullable Set<Pid> set = relation.get(key);
    if (set == null || !set.remove(value)) {
      return false;
    }
    if (set.isEmpty()) {
      relation.remove(key);
    }
    return true;
  }

  private static Set<Pid> intersect(Set<Pid> a, Set<Pid> b) {
    Set<Pid> both = new HashSet<>(a);
    both.retainAll(b);
    return both;
  }
}
