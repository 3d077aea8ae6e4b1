package dev.baton.dispatch;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A block of command ids owned by one module, with the names of the commands it defines.
 *
 * @param module the module that owns the ids
 * @param first the first id of the block
 * @param last the last id of the block, inclusive
 * @param commands the commands defined so far, by id; every id lies within the block
 */
public record CommandRange(
    String module, int first, int last, SortedMap<Integer, String> commands) {

  /** Checks the bounds and that every named command lies within them. */
  public CommandRange {
    requireNonNull(module, "module");
    if (module.isBlank()) {
      throw new IllegalArgumentException("a range's module name must not be blank");
    }
    CommandId.of(first);
    CommandId.of(last);
    if (first > last) {
      throw new IllegalArgumentException(
          "range of module '" + module + "' is empty: " + first + ".." + last);
    }
    for (int id : commands.keySet()) {
      if (id < first || id > last) {
        throw new IllegalArgumentException(
            "command " + id + " of module '" + module + "' lies outside " + first + ".." + last);
      }
    }
    commands = Collections.unmodifiableSortedMap(new TreeMap<>(commands));
  }

  /** Returns whether {@code id} lies within this range. */
  public boolean contains(CommandId id) {
    return id.value() >= first && id.value() <= last;
  }

  /** Returns the name of the command with {@code id}, if this range defines one. */
  public Optional<String> commandName(CommandId id) {
    return Optional.ofNullable(commands.get(id.value()));
  }

  /** Returns the ids this range's module defines commands for, in order. */
  public List<CommandId> definedIds() {
    return commands.keySet().stream().map(CommandId::of).toList();
  }

  @Override
  public String toString() {
    return module + " " + first + "-" + last + " " + commands.size() + " commands";
  }
}
