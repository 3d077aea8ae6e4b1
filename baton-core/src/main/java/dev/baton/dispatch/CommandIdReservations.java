package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A node's table of which module owns which command id (the seed's {@code MustRegisterCommands}).
 *
 * <p>It exists to catch two modules that would route the same id, at start-up and with a message
 * naming both, rather than as a misrouted command later. Reserving is all-or-nothing: if any id of
 * a call collides, none is reserved. A module reserving ids it already holds is a no-op. An id
 * inside a {@linkplain CommandRanges#STANDARD standard range} can only be reserved by that range's
 * module, whether or not it is loaded.
 *
 * <p>One table per node (not a JVM-wide static), so several nodes can run in one JVM. Thread-safe;
 * reservations happen at boot, so a plain lock is enough.
 */
public final class CommandIdReservations {

  @GuardedBy("this")
  private final Map<Integer, String> owners = new HashMap<>();

  /** Creates an empty table. */
  public CommandIdReservations() {}

  /**
   * Reserves {@code ids} for {@code module}.
   *
   * @throws CommandIdCollisionException naming the id and both modules, if another module holds one
   *     of the ids or it lies in another standard module's range; nothing is reserved then
   */
  public void reserve(String module, CommandId... ids) {
    reserve(module, Arrays.asList(ids));
  }

  /** Reserves {@code ids} for {@code module}; see {@link #reserve(String, CommandId...)}. */
  public synchronized void reserve(String module, Collection<CommandId> ids) {
    requireNonNull(module, "module");
    if (module.isBlank()) {
      throw new IllegalArgumentException("a module's name must not be blank");
    }
    // Checked in id order, so a collision names the same id whatever the collection's order.
    List<CommandId> sorted = ids.stream().sorted().toList();
    for (CommandId id : sorted) {
      String holder = owners.get(id.value());
      if (holder != null && !holder.equals(module)) {
        throw new CommandIdCollisionException(id, holder, module, "");
      }
      Optional<CommandRange> standard = CommandRanges.containing(id);
      if (standard.isPresent() && !standard.get().module().equals(module)) {
        CommandRange range = standard.get();
        throw new CommandIdCollisionException(
            id,
            range.module(),
            module,
            " (Baton's standard range " + range.first() + "-" + range.last() + ")");
      }
    }
    for (CommandId id : sorted) {
      owners.put(id.value(), module);
    }
  }

  /** Returns the module that reserved {@code id}, if one has. */
  public synchronized Optional<String> ownerOf(CommandId id) {
    return Optional.ofNullable(owners.get(id.value()));
  }

  /** Returns every reservation, by id. */
  public synchronized SortedMap<CommandId, String> snapshot() {
    TreeMap<CommandId, String> copy = new TreeMap<>();
    owners.forEach((id, module) -> copy.put(CommandId.of(id), module));
    return Collections.unmodifiableSortedMap(copy);
  }
}
