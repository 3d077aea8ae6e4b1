package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

/**
 * The identity of one call: the task's name and the id its {@link IdMaker} gave it. Ids are unique
 * per name only, so two names may use the same id; results, revocation, idempotency and events are
 * always keyed by both.
 */
public record TaskKey(String name, String id) {

  public TaskKey {
    requireNonNull(name, "name");
    requireNonNull(id, "id");
  }

  @Override
  public String toString() {
    return name + "#" + id;
  }
}
