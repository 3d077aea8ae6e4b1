package dev.baton.process;

import static java.util.Objects.requireNonNull;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One child of a {@link Supervisor}: how to start it and when to restart it.
 *
 * @param id the child's identity within its supervisor, and the name it is registered under
 * @param starter starts a fresh instance of the child with the options the supervisor gives
 * @param restart when the supervisor restarts it
 */
public record ChildSpec(String id, Starter starter, Restart restart) {

  /** When a child is restarted after it ends. */
  public enum Restart {
    /** Always: the child is meant to run for as long as its supervisor. */
    PERMANENT,
    /** Only after a failure: a normal end means its work is done. */
    TRANSIENT,
    /** Never. */
    TEMPORARY
  }

  /** Starts one instance of a child. */
  @FunctionalInterface
  public interface Starter {
    /** Spawns the child on {@code scheduler} with {@code options} and returns its pid. */
    Pid start(Scheduler scheduler, SpawnOptions options);
  }

  /** Checks the id. */
  public ChildSpec {
    requireNonNull(id, "id");
    requireNonNull(starter, "starter");
    requireNonNull(restart, "restart");
    if (id.isBlank()) {
      throw new IllegalArgumentException("a child's id must not be blank");
    }
  }

  /** A step-process child, created afresh by {@code factory} for every start. */
  public static ChildSpec step(
      String id, Supplier<? extends StepProcess> factory, Restart restart) {
    requireNonNull(factory, "factory");
    return new ChildSpec(
        id, (scheduler, options) -> scheduler.spawn(factory.get(), null, options), restart);
  }

  /** A coroutine child, running {@code body} with {@code input} on every start. */
  public static ChildSpec coroutine(
      String id, Coroutine body, @Nullable Object input, Restart restart) {
    requireNonNull(body, "body");
    return new ChildSpec(
        id, (scheduler, options) -> scheduler.spawnCoroutine(body, input, options), restart);
  }

  /** Whether a child that ended with {@code result} is restarted under this spec. */
  boolean restartsAfter(ProcessResult result) {
    return switch (restart) {
      case PERMANENT -> true;
      case TRANSIENT -> !result.isNormal();
      case TEMPORARY -> false;
    };
  }
}
