package dev.baton.contract;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The contract module's commands and their ids (DESIGN.md's table): a process opens an instance of
 * a binding ({@link Open}), calls its methods and waits ({@link Call}) or receives the outcome as a
 * message ({@link AsyncCall}, {@link AsyncCancel}), and closes it ({@link Close}) or lets its own
 * end close it.
 *
 * <p>Every type here is an immutable value, safe to share between threads.
 */
public final class Contracts {
  /** The id of {@code Open}. */
  public static final CommandId OPEN = CommandId.of(190);

  /** The id of {@code Call}. */
  public static final CommandId CALL = CommandId.of(191);

  /** The id of {@code AsyncCall}. */
  public static final CommandId ASYNC_CALL = CommandId.of(192);

  /** The id of {@code AsyncCancel}. */
  public static final CommandId ASYNC_CANCEL = CommandId.of(193);

  /** The id of {@code Close}. */
  public static final CommandId CLOSE = CommandId.of(194);

  private Contracts() {}

  /**
   * Opens an instance of the binding {@code bindingId} for the calling process, which owns it: a
   * local binding's factory makes a new implementation from {@code values} (a shared binding's
   * object serves it), a remote binding's instance names its tasks. Completes with the instance's
   * handle; the instance is closed when the process ends or yields {@link Close}.
   *
   * <p>Errors: {@link BindingNotFoundException} (listing the node's bindings); {@link
   * ContractArgumentException} if {@code values} are given to a shared or remote binding (which has
   * no per-instance state); {@link ContractCallFailedException} if the factory threw; {@link
   * dev.baton.modules.NotAProcessException} if the caller is not a process.
   *
   * @param bindingId the binding's id
   * @param values what the factory makes the instance from; may be empty
   */
  public record Open(String bindingId, Map<String, Object> values) implements Command<InstanceId> {

    /**
     * @throws NullPointerException if {@code bindingId} or {@code values} (or a key or value in it)
     *     is null
     * @throws IllegalArgumentException if {@code bindingId} is blank
     */
    public Open {
      requireNonNull(bindingId, "bindingId");
      if (bindingId.isBlank()) {
        throw new IllegalArgumentException("bindingId must not be blank");
      }
      values = Map.copyOf(requireNonNull(values, "values"));
    }

    /** Opens {@code bindingId} with no values. */
    public static Open of(String bindingId) {
      return new Open(bindingId, Map.of());
    }

    @Override
    public CommandId commandId() {
      return OPEN;
    }
  }

  /**
   * Calls {@code method} of the instance {@code instance} with {@code arguments} and completes with
   * its value (null for a {@code void} method; the future's value for a method returning {@code
   * CompletableFuture<X>}). A local instance's method runs on a virtual thread; a remote one runs
   * as its task ({@code SimpleInterfaceName.method} or its {@code @TaskName}) on a worker.
   *
   * <p>{@code method} is the method's task name or, if it is not overloaded, its Java name. The
   * arguments are checked against the method before anything runs.
   *
   * <p>If the process ends, or the yield's deadline passes, first, the call is stopped: a local
   * method's thread is interrupted, a remote task revoked.
   *
   * <p>Errors: {@link dev.baton.modules.HandleNotFoundException} (kind {@code "contract instance"})
   * if the process does not own {@code instance}; {@link MethodNotFoundException} (names the
   * interface and the candidates); {@link ContractArgumentException} (count, types, or a {@link
   * #returnType()} that cannot hold the method's); {@link ContractCallFailedException} (a local
   * implementation threw; its exception is the cause); {@link dev.baton.tasks.TaskFailedException}
   * (a remote call failed; {@code code()} says how).
   *
   * @param instance the instance {@link Open} returned
   * @param method the method's task name, or its Java name if not overloaded
   * @param arguments the arguments, in order; may hold nulls (not for primitive parameters)
   * @param returnType what the caller expects; must be able to hold the method's return type
   *     ({@code Object.class} always can)
   * @param <R> the value's type
   */
  public record Call<R>(
      InstanceId instance, String method, List<@Nullable Object> arguments, Class<R> returnType)
      implements Command<R> {

    /**
     * @throws NullPointerException if an argument other than an element of {@code arguments} is
     *     null
     * @throws IllegalArgumentException if {@code method} is blank
     */
    public Call {
      requireNonNull(instance, "instance");
      method = checkMethod(method);
      arguments = copyOf(arguments);
      requireNonNull(returnType, "returnType");
    }

    /** Calls {@code method} with {@code arguments}; the value is untyped. */
    public static Call<Object> of(
        InstanceId instance, String method, @Nullable Object... arguments) {
      return new Call<>(instance, method, listOf(arguments), Object.class);
    }

    /**
     * Calls {@code method} expecting a value of {@code returnType}, for example {@code int.class}.
     */
    public static <R> Call<R> returning(
        Class<R> returnType, InstanceId instance, String method, @Nullable Object... arguments) {
      return new Call<>(instance, method, listOf(arguments), returnType);
    }

    @Override
    public CommandId commandId() {
      return CALL;
    }
  }

  /**
   * Starts a call of {@code method} of {@code instance} and completes at once with a handle the
   * process owns; the outcome arrives later as exactly one message on {@code topic} whose payload
   * is a {@link ContractOutcome}, unless the call is cancelled first ({@link AsyncCancel}, the
   * process's end, or the module's stop), and then no message is sent. The method, its arguments
   * and the instance are checked before anything starts, and those errors are this command's own;
   * the call's failures arrive in the outcome.
   *
   * <p>Errors (of the command): those of {@link Call} before anything runs, and {@link
   * dev.baton.modules.NotAProcessException} if the caller is not a process.
   *
   * @param topic the outcome message's topic; not blank and not reserved (starting with {@code @})
   * @param instance the instance {@link Open} returned
   * @param method as for {@link Call}
   * @param arguments as for {@link Call}
   */
  public record AsyncCall(
      String topic, InstanceId instance, String method, List<@Nullable Object> arguments)
      implements Command<AsyncCallId> {

    /**
     * @throws NullPointerException if an argument other than an element of {@code arguments} is
     *     null
     * @throws IllegalArgumentException if {@code topic} or {@code method} is blank, or {@code
     *     topic} is reserved
     */
    public AsyncCall {
      requireNonNull(topic, "topic");
      if (topic.isBlank()) {
        throw new IllegalArgumentException("topic must not be blank");
      }
      if (topic.startsWith("@")) {
        throw new IllegalArgumentException(
            "topic '"
                + topic
                + "' is reserved for the runtime's notifications (topics starting with @);"
                + " choose another");
      }
      requireNonNull(instance, "instance");
      method = checkMethod(method);
      arguments = copyOf(arguments);
    }

    /** Calls {@code method} with {@code arguments}; the outcome arrives on {@code topic}. */
    public static AsyncCall of(
        String topic, InstanceId instance, String method, @Nullable Object... arguments) {
      return new AsyncCall(topic, instance, method, listOf(arguments));
    }

    @Override
    public CommandId commandId() {
      return ASYNC_CALL;
    }
  }

  /**
   * Cancels a call started with {@link AsyncCall}: a local method's thread is interrupted, a remote
   * task revoked. Completes with {@code true} if the cancel came first: no outcome message for
   * {@code id} is ever sent. Completes with {@code false} if the outcome came first: its one
   * message is in the mailbox (or on its way there), and nothing is stopped. The module remembers
   * the last {@value ContractModule#DELIVERED_MEMORY} delivered ids and their owners for this.
   *
   * <p>Errors: {@link dev.baton.modules.HandleNotFoundException} (kind {@code "contract call"}) if
   * the process does not own {@code id}: never started, already cancelled, its outcome sent longer
   * ago than that, or another process's; {@link dev.baton.modules.NotAProcessException} if the
   * caller is not a process.
   *
   * @param id the handle {@link AsyncCall} returned
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
   * Closes an instance before its owner ends: it takes no more calls, and an {@link AutoCloseable}
   * implementation made for it ({@link Binding#perInstance}) is closed, on a virtual thread, once
   * the calls already running on it have ended (they go on; an implementation is never closed under
   * a running method). The command completes with {@code true} once it is closed.
   *
   * <p>Errors: {@link dev.baton.modules.HandleNotFoundException} if the process does not own {@code
   * instance} (or already closed it); {@link ContractCallFailedException} if {@code close} threw
   * (the instance is closed for Baton all the same).
   *
   * @param instance the instance {@link Open} returned
   */
  public record Close(InstanceId instance) implements Command<Boolean> {

    /**
     * @throws NullPointerException if {@code instance} is null
     */
    public Close {
      requireNonNull(instance, "instance");
    }

    @Override
    public CommandId commandId() {
      return CLOSE;
    }
  }

  /**
   * The handle of one opened instance, owned by the process that opened it.
   *
   * @param value the handle's number, positive and never reused within a node
   */
  public record InstanceId(long value) {

    /**
     * @throws IllegalArgumentException if {@code value} is not positive
     */
    public InstanceId {
      if (value <= 0) {
        throw new IllegalArgumentException("value must be positive, got " + value);
      }
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
   * The payload of the message carrying an {@link AsyncCall}'s outcome: {@code value} (possibly
   * null) or {@code error}.
   *
   * @param id the call's handle
   * @param value the method's value; null when it failed (or returned null)
   * @param error why it failed, as {@link Call} would have failed ({@link
   *     ContractCallFailedException} locally, {@link dev.baton.tasks.TaskFailedException}
   *     remotely); null on success
   */
  public record ContractOutcome(
      AsyncCallId id, @Nullable Object value, @Nullable RuntimeException error) {

    /**
     * @throws NullPointerException if {@code id} is null
     * @throws IllegalArgumentException if both {@code value} and {@code error} are set
     */
    public ContractOutcome {
      requireNonNull(id, "id");
      if (error != null && value != null) {
        throw new IllegalArgumentException("an outcome has a value or an error, not both");
      }
    }

    /** Whether the call succeeded. */
    public boolean succeeded() {
      return error == null;
    }
  }

  private static String checkMethod(String method) {
    requireNonNull(method, "method");
    if (method.isBlank()) {
      throw new IllegalArgumentException("method must not be blank");
    }
    return method;
  }

  /** An unmodifiable copy that keeps nulls. */
  private static List<@Nullable Object> copyOf(List<@Nullable Object> arguments) {
    requireNonNull(arguments, "arguments");
    return Collections.unmodifiableList(new ArrayList<>(arguments));
  }

  private static List<@Nullable Object> listOf(@Nullable Object @Nullable [] arguments) {
    if (arguments == null) {
      return Collections.singletonList(null);
    }
    return Arrays.asList(arguments);
  }
}
