package dev.baton.tasks;

/**
 * Makes the ids of new calls. An id must be unique among the calls of one task name (a call's
 * identity is the {@link TaskKey} of name and id), and implementations must be thread-safe.
 *
 * <p>Built-in makers have the ids in {@link IdMakers}; custom ones are added with {@link
 * TaskApp#addIdMaker} and chosen per task with {@link TaskApp#setIdMaker}.
 */
@FunctionalInterface
public interface IdMaker {

  /** A new id for a call of {@code taskName}. */
  String newId(String taskName);
}
