package dev.baton.modules.function;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskFailedException;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.TypeRef;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The function module's commands and their ids (DESIGN.md's table): a process calls a task of the
 * node's {@link TaskApp} and waits for its value ({@link Call}), or starts it and receives the
 * outcome later as a message ({@link AsyncStart}, {@link AsyncCancel}).
 *
 * <p>Every type here is an immutable value, safe to share between threads. Task failures are the
 * task framework's own {@link TaskFailedException}, whose {@link TaskFailedException#code()} tells
 * them apart ({@code UNKNOWN_TASK}, {@code BAD_ARGUMENTS}, {@code TASK_FAILED}, {@code TIMEOUT},
 * {@code REVOKED}, {@code SHUTDOWN}, ...).
 */
public final class Functions {
  /** The id of {@link Call}. */
  public static final CommandId CALL = CommandId.of(140);

  /** The id of {@link AsyncStart}. */
  public static final CommandId ASYNC_START = CommandId.of(141);

  /** The id of {@link AsyncCancel}. */
  public static final CommandId ASYNC_CANCEL = CommandId.of(142);

  private Functions() {}

  /**
   * Calls the task {@code task} and completes with its return value, in this JVM (local mode) or on
   * whichever worker of the cluster serves it (remote mode). The calling process waits; the handler
   * does not block a thread.
   *
   * <p>Errors: the completion's error is the framework's {@link TaskFailedException}, unwrapped:
   * {@code UNKNOWN_TASK} (no task of that name where the call was routed), {@code BAD_ARGUMENTS}
   * (wrong count, or an argument that does not convert to the declared parameter type), {@code
   * TASK_FAILED} (the task threw; the message holds its class and message), {@code TIMEOUT} (the
   * {@link TaskOptions#timeout()} passed; the running attempt is interrupted), {@code SHUTDOWN}
   * (the app closed first), and the others of {@link dev.baton.tasks.ErrorCode}. If the calling
   * process ends first, or the yield's deadline passes ({@code call(command, deadline)}, which
   * fails with {@link dev.baton.process.YieldTimeoutException}), the call is revoked: a running
   * attempt in this app is interrupted, a remote one is recorded as revoked.
   *
   * <p>Two timeouts: {@link TaskOptions#timeout()} bounds the task's run in the task framework (and
   * fails the call with {@code TIMEOUT}, a {@link TaskFailedException}); a yield deadline bounds
   * the process's wait (and revokes the call). Use the task option for how long the work may take;
   * the deadline for how long this process will wait.
   *
   * @param task the task's name
   * @param arguments the arguments, in order; may hold nulls
   * @param options how the call runs (timeout, retries, queue, priority...); {@code null} for the
   *     task's default options
   * @param returnType what a caller that has not registered the task decodes the value as (remote
   *     mode); {@code null} for the task's registered type, else JSON's own types. In local mode
   *     the value is the task's own return value, whatever this says
   * @param <R> the value's type, as the caller declares it
   */
  public record Call<R>(
      String task,
      List<@Nullable Object> arguments,
      @Nullable TaskOptions options,
      @Nullable Type returnType)
      implements Command<R> {

    /**
     * @throws NullPointerException if {@code task} or {@code arguments} is null
     * @throws IllegalArgumentException if {@code task} is blank
     */
    public Call {
      task = checkTask(task);
      arguments = copyOf(arguments);
    }

    /** Calls {@code task} with {@code arguments} and its default options; the value is untyped. */
    public static Call<Object> of(String task, @Nullable Object... arguments) {
      return new Call<>(task, listOf(arguments), null, null);
    }

    /**
     * Calls {@code task} expecting a value of {@code returnType}, for example {@code int.class}.
     */
    public static <R> Call<R> returning(
        Class<R> returnType, String task, @Nullable Object... arguments) {
      return new Call<>(task, listOf(arguments), null, requireNonNull(returnType, "returnType"));
    }

    /** Calls {@code task} expecting a value of a generic type, for example {@code List<Point>}. */
    public static <R> Call<R> returning(
        TypeRef<R> returnType, String task, @Nullable Object... arguments) {
      return new Call<>(
          task, listOf(arguments), null, requireNonNull(returnType, "returnType").type());
    }

    /** The same call with {@code options} instead of the task's default options. */
    public Call<R> withOptions(TaskOptions options) {
      return new Call<>(task, arguments, requireNonNull(options, "options"), returnType);
    }

    @Override
    public CommandId commandId() {
      return CALL;
    }
  }

  /**
   * Starts the task {@code task} and completes at once, as soon as the call was accepted, with a
   * handle the calling process owns. The outcome arrives later as exactly one {@link
   * dev.baton.process.Message message} on {@code topic} whose payload is a {@link FunctionOutcome}
   * with that handle, unless the call is cancelled first ({@link AsyncCancel}, or the process ends,
   * which revokes it): then no outcome message is sent at all.
   *
   * <p>Delivery is best-effort: if the caller's mailbox is full when the outcome arrives, the
   * outcome is dropped (logged at debug), as it is when the process has ended.
   *
   * <p>Errors: {@link dev.baton.modules.NotAProcessException} if the caller is not a process (it
   * could not receive the outcome). The task's own failures arrive in the outcome, not here.
   *
   * @param topic the topic of the outcome message; not blank, and not one of the runtime's reserved
   *     topics (starting with {@code @})
   * @param task the task's name
   * @param arguments the arguments, in order; may hold nulls
   * @param options how the call runs; {@code null} for the task's default options
   * @param returnType what the value is decoded as; see {@link Call#returnType()}
   */
  public record AsyncStart(
      String topic,
      String task,
      List<@Nullable Object> arguments,
      @Nullable TaskOptions options,
      @Nullable Type returnType)
      implements Command<AsyncCallId> {

    /**
     * @throws NullPointerException if {@code topic}, {@code task} or {@code arguments} is null
     * @throws IllegalArgumentException if {@code topic} or {@code task} is blank, or {@code topic}
     *     is reserved
     */
    public AsyncStart {
      requireNonNull(topic, "topic");
      if (topic.isBlank()) {
        throw new IllegalArgumentException("topic must not be blank");
      }
      if (topic.startsWith("@")) {
        throw new IllegalArgumentException(
            "topic '"
                + topic
                + "' is reserved for the runtime's notifications (topics starting"
                + " with @); choose another");
      }
      task = checkTask(task);
      arguments = copyOf(arguments);
    }

    /** Starts {@code task} with {@code arguments}; its outcome arrives on {@code topic}. */
    public static AsyncStart of(String topic, String task, @Nullable Object... arguments) {
      return new AsyncStart(topic, task, listOf(arguments), null, null);
    }

    /** The same start with {@code options} instead of the task's default options. */
    public AsyncStart withOptions(TaskOptions options) {
      return new AsyncStart(topic, task, arguments, requireNonNull(options, "options"), returnType);
    }

    /** The same start, decoding the value as {@code returnType}. */
    public AsyncStart returning(Type returnType) {
      return new AsyncStart(
          topic, task, arguments, options, requireNonNull(returnType, "returnType"));
    }

    @Override
    public CommandId commandId() {
      return ASYNC_START;
    }
  }

  /**
   * Cancels a call started with {@link AsyncStart}, unless its outcome came first.
   *
   * <p>Each asynchronous call decides once, atomically (one compare-and-set), between delivering
   * its outcome and being cancelled (by this command, by the owner's end, or by the module's stop).
   * This command completes with:
   *
   * <ul>
   *   <li>{@code true} exactly when the cancel won: no outcome message for {@code id} is ever sent
   *       (an outcome that arrives later is discarded), and the task is revoked if it was still
   *       running (a running attempt in this app is interrupted; a remote one is recorded as
   *       revoked so no worker starts it later);
   *   <li>{@code false} when the outcome won: exactly one outcome message for {@code id} is in the
   *       mailbox or on its way (unless the mailbox was full, see {@link AsyncStart}), and nothing
   *       is revoked.
   * </ul>
   *
   * <p>A delivered id is recorded before the call leaves the process's handles, so a cancel that
   * arrives after the outcome, however late it races it, completes with false rather than failing,
   * as long as the id is among the last {@value FunctionModule#DELIVERED_MEMORY} delivered ones.
   *
   * <p>Errors: {@link dev.baton.modules.HandleNotFoundException} if the calling process does not
   * own {@code id}: it never existed, it was already cancelled, its outcome was sent long ago (more
   * than that many outcomes since), or another process started it.
   *
   * @param id the handle {@link AsyncStart} returned
   */
  public record AsyncCancel(AsyncCallId id) implements Command<Boolean> {

    /**
     * @throws NullPointerException if {@code id} is null
     */
    public AsyncCancel {
      requireNonNull(id, "id");
    }

    @Override
    public CommandId commandId() {
      return ASYNC_CANCEL;
    }
  }

  /**
   * The handle of one asynchronous call, owned by the process that started it.
   *
   * @param value the handle's number, positive and never reused within a node
   */
  public record AsyncCallId(long value) {

    /**
     * @throws IllegalArgumentException if {@code value} is not positive
     */
    public AsyncCallId {
      if (value <= 0) {
        throw new IllegalArgumentException("value must be positive, got " + value);
      }
    }
  }

  /**
   * The payload of the message that carries an asynchronous call's outcome: either {@code value}
   * (which may itself be null) or {@code error}.
   *
   * @param id the call's handle, as {@link AsyncStart} returned it
   * @param value the task's return value; null when it failed (or returned null)
   * @param error why it failed, as {@link Call} would have failed; null on success
   */
  public record FunctionOutcome(
      AsyncCallId id, @Nullable Object value, @Nullable TaskFailedException error) {

    /**
     * @throws NullPointerException if {@code id} is null
     * @throws IllegalArgumentException if both {@code value} and {@code error} are set
     */
    public FunctionOutcome {
      requireNonNull(id, "id");
      if (error != null && value != null) {
        throw new IllegalArgumentException("an outcome has a value or an error, not both");
      }
    }

    /** Whether the call succeeded. */
    public boolean succeeded() {
      return error == null;
    }

    /** The code and message of the failure, if it failed. */
    public @Nullable TaskError taskError() {
      return error == null ? null : error.error();
    }
  }

  private static String checkTask(String task) {
    requireNonNull(task, "task");
    if (task.isBlank()) {
      throw new IllegalArgumentException("task must not be blank");
    }
    return task;
  }

  /** An unmodifiable copy that keeps nulls (List.copyOf refuses them; tasks may take nulls). */
  private static List<@Nullable Object> copyOf(List<@Nullable Object> arguments) {
    requireNonNull(arguments, "arguments");
    return Collections.unmodifiableList(new ArrayList<>(arguments));
  }

  private static List<@Nullable Object> listOf(@Nullable Object @Nullable [] arguments) {
    if (arguments == null) {
      // Call.of("t", (Object[]) null): the seed's one-null-argument reading, as TaskApp.call does.
      return Collections.singletonList(null);
    }
    return Arrays.asList(arguments);
  }
}
