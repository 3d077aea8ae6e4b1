package dev.baton.workflow;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * The workflow module's commands and their ids (DESIGN.md's table).
 *
 * <p>Inside a workflow, {@link WorkflowScope#call} journals each of them like any other command:
 * the first run carries it out and journals the outcome, a replay returns the journaled outcome.
 * Outside a workflow only {@link Call} works (it starts a workflow, or attaches to it, and waits
 * for its result); the others fail with {@link NotAWorkflowException}.
 */
public final class Workflows {
  /** The id of {@code SideEffect}. */
  public static final CommandId SIDE_EFFECT = CommandId.of(180);

  /** The id of {@code Call}. */
  public static final CommandId CALL = CommandId.of(181);

  /** The id of {@code Version}. */
  public static final CommandId VERSION = CommandId.of(182);

  /** The id of {@code UpsertAttrs}. */
  public static final CommandId UPSERT_ATTRS = CommandId.of(183);

  private Workflows() {}

  /**
   * 180: runs {@code fn} once, off the scheduler (on a virtual thread), and completes with its
   * value (or its error); in a workflow the outcome is journaled, so a replay returns it without
   * running {@code fn} again.
   *
   * @param name names the effect in the journal; a replay must yield the same name at this point
   * @param type what the value is read back as from the journal (JSON)
   * @param fn the effect; it may block
   */
  public record SideEffect<T>(String name, Class<T> type, Callable<? extends T> fn)
      implements Command<T> {
    /** Checks the fields. */
    public SideEffect {
      requireNonBlank(name, "name");
      requireNonNull(type, "type");
      requireNonNull(fn, "fn");
    }

    @Override
    public CommandId commandId() {
      return SIDE_EFFECT;
    }
  }

  /**
   * 181: starts the workflow {@code type} with {@code id} and {@code input} (or attaches to it, if
   * that id exists: a finished one answers with its journaled outcome) and completes with its
   * result, read as {@code resultType}; a failed workflow completes with {@link
   * WorkflowFailedException}.
   *
   * <p>In a workflow it starts a child: a null {@code id} becomes {@code parentId + "/" + seq}, the
   * call's position in the parent's journal, so a replay finds the same child.
   *
   * @param type a registered workflow type
   * @param id the workflow's id; null only in a workflow (the deterministic child id)
   * @param input the workflow's input (journaled as JSON)
   * @param resultType what the result is read back as
   */
  public record Call<T>(
      String type, @Nullable String id, @Nullable Object input, Class<T> resultType)
      implements Command<T> {
    /** Checks the fields. */
    public Call {
      requireNonBlank(type, "type");
      if (id != null) {
        requireNonBlank(id, "id");
      }
      requireNonNull(resultType, "resultType");
    }

    /** A child workflow call with the deterministic id. */
    public static <T> Call<T> child(String type, @Nullable Object input, Class<T> resultType) {
      return new Call<>(type, null, input, resultType);
    }

    /** This call with {@code childId} as its id. */
    Call<T> withId(String childId) {
      return new Call<>(type, childId, input, resultType);
    }

    @Override
    public CommandId commandId() {
      return CALL;
    }
  }

  /**
   * 182: which version of a code change this run takes. A run that reaches the call for the first
   * time gets {@code maxSupported}, journaled; a replay gets the journaled version; a replay of a
   * journal written before the change existed (no marker at this point) gets {@link
   * #DEFAULT_VERSION} without consuming a journal position. A version outside [min, max] fails the
   * run with {@link NonDeterminismException} (the code no longer supports that journal).
   *
   * @param changeId names the change; each change has its own id
   * @param minSupported the oldest version the code still handles ({@link #DEFAULT_VERSION} while
   *     the pre-change path is kept)
   * @param maxSupported the newest version
   */
  public record Version(String changeId, int minSupported, int maxSupported)
      implements Command<Integer> {
    /** The version of runs journaled before the change: no marker. */
    public static final int DEFAULT_VERSION = -1;

    /** Checks the fields. */
    public Version {
      requireNonBlank(changeId, "changeId");
      if (minSupported < DEFAULT_VERSION || maxSupported < minSupported) {
        throw new IllegalArgumentException(
            "need DEFAULT_VERSION (-1) <= minSupported <= maxSupported, was "
                + minSupported
                + ".."
                + maxSupported);
      }
    }

    @Override
    public CommandId commandId() {
      return VERSION;
    }
  }

  /**
   * 183: sets searchable attributes of the calling workflow (adds or replaces the named ones) in
   * the journal store; find workflows by them with {@link WorkflowModule#findByAttribute}.
   *
   * @param attributes names to values
   */
  public record UpsertAttrs(Map<String, String> attributes) implements Command<Void> {
    /** Checks and copies the map. */
    public UpsertAttrs {
      attributes = Map.copyOf(requireNonNull(attributes, "attributes"));
      attributes.keySet().forEach(key -> requireNonBlank(key, "attributes' name"));
      attributes.values().forEach(value -> requireNoNul(value, "attributes' value"));
    }

    @Override
    public CommandId commandId() {
      return UPSERT_ATTRS;
    }
  }

  private static void requireNonBlank(@Nullable String value, String field) {
    requireNonNull(value, field);
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    requireNoNul(value, field);
  }

  /** Journal stores keep names as text, which cannot hold NUL (PostgreSQL refuses it). */
  static void requireNoNul(String value, String field) {
    if (value.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException(field + " must not contain a NUL character");
    }
  }
}
