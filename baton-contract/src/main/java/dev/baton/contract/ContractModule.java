package dev.baton.contract;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;
import dev.baton.contract.ContractInterface.Shape;
import dev.baton.contract.ContractInterface.Target;
import dev.baton.contract.Contracts.AsyncCall;
import dev.baton.contract.Contracts.AsyncCallId;
import dev.baton.contract.Contracts.AsyncCancel;
import dev.baton.contract.Contracts.Call;
import dev.baton.contract.Contracts.Close;
import dev.baton.contract.Contracts.ContractOutcome;
import dev.baton.contract.Contracts.InstanceId;
import dev.baton.contract.Contracts.Open;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.spi.Callers;
import dev.baton.modules.spi.OwnedResources;
import dev.baton.process.MailboxFullException;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.ProcessNotFoundException;
import dev.baton.process.Scheduler;
import dev.baton.tasks.Result;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskFailedException;
import java.lang.reflect.InvocationTargetException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contract module ({@value #MODULE}, ids 190-194): a process opens an instance of one of the
 * node's {@link Bindings} and calls its interface's methods, waiting ({@link Call}) or receiving
 * the outcome as a message ({@link AsyncCall}). A local binding's methods run on virtual threads of
 * this module; a remote binding's methods run as the tasks the task framework's typed stubs name,
 * through the node's {@link TaskApp}, exactly as the function module calls tasks.
 *
 * <p>Boot it with {@code Dispatcher.component(new ContractModule())} beside {@link
 * Bindings#component(Binding...)} (and, for remote bindings, the {@value Bindings#TASKS_COMPONENT}
 * component sharing the app).
 *
 * <p><b>Design.</b> Handlers never block: a local method (and a factory, and an instance's {@code
 * close}) runs on a virtual thread of the module's executor; a remote call completes from the
 * {@link Result}'s callbacks. Both kinds are a {@link PendingCall}: a future of the outcome and a
 * way to stop it (interrupt the local thread; revoke the remote task). A {@link Call} completes
 * from whichever comes first of the outcome and its context's cancellation (its process ended, or
 * its deadline passed), decided by one flag; the cancellation stops the call. Instances and
 * asynchronous calls belong to their process in {@link OwnedResources} tables: an entry leaves its
 * table exactly once, so an asynchronous call's outcome is sent only if no cancel, owner's end or
 * module stop took the entry first, and an instance is closed once.
 *
 * <p>Thread-safe: handlers run concurrently for any number of processes.
 */
public final class ContractModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "contract";

  /** How many delivered call ids the module remembers, so a late AsyncCancel returns false. */
  static final int DELIVERED_MEMORY = 1024;

  private static final Logger log = LoggerFactory.getLogger(ContractModule.class);

  /** How long {@link #stop()} waits for instances to close and local calls to end. */
  private static final long STOP_GRACE_SECONDS = 5;

  /** Runs local methods, factories and closes; one virtual thread per job. */
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  private final OwnedResources<Instance> instances = new OwnedResources<>("contract instance");
  private final OwnedResources<PendingCall> asyncCalls = new OwnedResources<>("contract call");
  private final AtomicLong droppedOutcomes = new AtomicLong();

  /** Delivered asynchronous calls and their owners, bounded; guarded by its own lock. */
  private final Map<Long, Pid> recentlyDelivered =
      Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Pid> eldest) {
              return size() > DELIVERED_MEMORY;
            }
          });

  /** Creates the module; it finds the bindings and the scheduler when the node loads it. */
  public ContractModule() {}

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(
        Contracts.OPEN,
        Contracts.CALL,
        Contracts.ASYNC_CALL,
        Contracts.ASYNC_CANCEL,
        Contracts.CLOSE);
  }

  /** The bindings (and through them the task app) and the scheduler (for outcome messages). */
  @Override
  public List<String> dependsOn() {
    return List.of(Bindings.COMPONENT_NAME, Scheduler.COMPONENT_NAME);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    Bindings bindings = services.require(Bindings.KEY);
    Scheduler scheduler = services.require(Scheduler.KEY);
    registrar.register(
        Contracts.OPEN,
        Handler.forType(
            Open.class,
            (context, open, tag, receiver) -> open(bindings, context, open, tag, receiver)));
    registrar.register(
        Contracts.CALL,
        Handler.forType(
            Call.class,
            (context, call, tag, receiver) -> call(bindings, context, call, tag, receiver)));
    registrar.register(
        Contracts.ASYNC_CALL,
        Handler.forType(
            AsyncCall.class,
            (context, call, tag, receiver) ->
                asyncCall(bindings, scheduler, context, call, tag, receiver)));
    registrar.register(
        Contracts.ASYNC_CANCEL, Handler.forType(AsyncCancel.class, this::asyncCancel));
    registrar.register(Contracts.CLOSE, Handler.forType(Close.class, this::close));
  }

  /**
   * Cancels every asynchronous call (their callers get no message), closes every instance, and
   * waits up to five seconds for local methods and closes to end before interrupting them.
   */
  @Override
  public void stop() throws InterruptedException {
    for (PendingCall call : asyncCalls.clear()) {
      call.cancel();
    }
    for (Instance instance : instances.clear()) {
      release(instance);
    }
    executor.shutdown();
    if (!executor.awaitTermination(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
      executor.shutdownNow();
    }
  }

  /** How many instances are open. */
  public int openInstances() {
    return instances.size();
  }

  /** How many asynchronous calls are running (no outcome sent, not cancelled). */
  public int runningAsyncCalls() {
    return asyncCalls.size();
  }

  /**
   * How many outcome messages were dropped because the caller had ended or its mailbox was full.
   */
  public long droppedOutcomes() {
    return droppedOutcomes.get();
  }

  // ---- Open / Close ----

  private void open(
      Bindings bindings, CommandContext context, Open open, long tag, ResultReceiver receiver) {
    Callers.pidOf(context, "contract.Open");
    Binding binding = bindings.require(open.bindingId());
    if (binding.kind() != Binding.Kind.PER_INSTANCE && !open.values().isEmpty()) {
      throw new ContractArgumentException(
          "binding '"
              + binding.id()
              + "' is "
              + (binding.isRemote() ? "remote" : "shared")
              + ", so its instances have no state of their own and Open takes no values; got "
              + open.values().keySet().stream().sorted().toList());
    }
    if (context.isCancelled()) {
      receiver.completeYield(tag, null, new CancellationException("nobody waits for this Open"));
      return;
    }
    if (binding.kind() != Binding.Kind.PER_INSTANCE) {
      receiver.completeYield(
          tag, own(context, new Instance(binding, binding.implementation())), null);
      return;
    }
    Function<Map<String, Object>, ?> factory = requireNonNull(binding.factory(), "factory");
    executeOrFail(
        () -> {
          Object made;
          try {
            made = factory.apply(open.values());
          } catch (RuntimeException | Error e) {
            receiver.completeYield(
                tag, null, new ContractCallFailedException(binding.id(), "the factory", e));
            return;
          }
          if (!binding.contract().isInstance(made)) {
            receiver.completeYield(
                tag,
                null,
                new ContractCallFailedException(
                    binding.id(),
                    "the factory",
                    new IllegalStateException(
                        "the factory returned "
                            + (made == null ? "null" : "a " + made.getClass().getName())
                            + ", not an implementation of "
                            + binding.contract().getName())));
            return;
          }
          // If the process ended meanwhile, own() releases (closes) the instance at once.
          receiver.completeYield(tag, own(context, new Instance(binding, made)), null);
        },
        error -> receiver.completeYield(tag, null, error));
  }

  private InstanceId own(CommandContext context, Instance instance) {
    long handle = instances.nextHandle();
    instances.add(handle, context, instance, this::releaseLater);
    return new InstanceId(handle);
  }

  private void close(CommandContext context, Close close, long tag, ResultReceiver receiver) {
    Instance instance = instances.remove(context, close.instance().value());
    if (!(instance.target() instanceof AutoCloseable closeable)
        || instance.binding().kind() != Binding.Kind.PER_INSTANCE) {
      receiver.completeYield(tag, true, null);
      return;
    }
    executeOrFail(
        () -> {
          try {
            closeable.close();
            receiver.completeYield(tag, true, null);
          } catch (Exception e) {
            receiver.completeYield(
                tag, null, new ContractCallFailedException(instance.binding().id(), "close", e));
          }
        },
        error -> receiver.completeYield(tag, null, error));
  }

  /** Closes an instance its owner left, off the cancelling thread. */
  private void releaseLater(Instance instance) {
    if (closeable(instance) == null) {
      return;
    }
    try {
      executor.execute(() -> release(instance));
    } catch (RejectedExecutionException stopping) {
      release(instance);
    }
  }

  private static void release(Instance instance) {
    AutoCloseable closeable = closeable(instance);
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      log.warn("closing an instance of binding '{}' failed", instance.binding().id(), e);
    }
  }

  private static @Nullable AutoCloseable closeable(Instance instance) {
    if (instance.binding().kind() == Binding.Kind.PER_INSTANCE
        && instance.target() instanceof AutoCloseable closeable) {
      return closeable;
    }
    return null;
  }

  // ---- Call ----

  private void call(
      Bindings bindings, CommandContext context, Call<?> call, long tag, ResultReceiver receiver) {
    Instance instance = instances.get(context, call.instance().value());
    Target target = instance.binding().described().resolve(call.method());
    ContractInterface.checkArguments(target, call.arguments());
    ContractInterface.checkReturn(target, call.returnType());
    if (context.isCancelled()) {
      receiver.completeYield(tag, null, stopped(call.method()));
      return;
    }
    PendingCall pending = start(bindings, instance, target, call.method(), call.arguments());
    // The first of the outcome and the cancellation (its process ended, or its deadline passed)
    // completes the tag; the cancellation also stops the call.
    AtomicBoolean done = new AtomicBoolean();
    Registration stopOnCancel =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                pending.cancel();
                receiver.completeYield(tag, null, stopped(call.method()));
              }
            });
    var _ =
        pending
            .outcome()
            .whenComplete(
                (value, error) -> {
                  if (done.compareAndSet(false, true)) {
                    stopOnCancel.remove();
                    receiver.completeYield(tag, error == null ? value : null, error);
                  }
                });
  }

  private static CancellationException stopped(String method) {
    return new CancellationException(
        "the call of " + method + " was stopped: its deadline passed or its caller ended");
  }

  // ---- AsyncCall / AsyncCancel ----

  private void asyncCall(
      Bindings bindings,
      Scheduler scheduler,
      CommandContext context,
      AsyncCall call,
      long tag,
      ResultReceiver receiver) {
    Pid pid = Callers.pidOf(context, "contract.AsyncCall");
    Instance instance = instances.get(context, call.instance().value());
    Target target = instance.binding().described().resolve(call.method());
    ContractInterface.checkArguments(target, call.arguments());
    if (context.isCancelled()) {
      receiver.completeYield(tag, null, stopped(call.method()));
      return;
    }
    PendingCall pending = start(bindings, instance, target, call.method(), call.arguments());
    long handle = asyncCalls.nextHandle();
    // Owned before the outcome is watched, so an outcome already there finds the entry; if the
    // owner is already gone, this stops the call at once.
    asyncCalls.add(handle, context, pending, PendingCall::cancel);
    // Completed before the outcome is watched, so the process knows the id its message names.
    receiver.completeYield(tag, new AsyncCallId(handle), null);
    var _ =
        pending
            .outcome()
            .whenComplete(
                (value, error) ->
                    deliver(
                        scheduler,
                        pid,
                        call.topic(),
                        handle,
                        error == null ? value : null,
                        error == null ? null : asRuntime(error)));
  }

  /**
   * Sends the outcome if the call still owns its entry (a cancelled call lost it and sends
   * nothing). Never throws: it runs on a method's thread or the task framework's.
   */
  private void deliver(
      Scheduler scheduler,
      Pid pid,
      String topic,
      long handle,
      @Nullable Object value,
      @Nullable RuntimeException error) {
    if (asyncCalls.forget(handle) == null) {
      return;
    }
    recentlyDelivered.put(handle, pid);
    ContractOutcome outcome = new ContractOutcome(new AsyncCallId(handle), value, error);
    try {
      scheduler.send(pid, new Message(topic, outcome, null));
    } catch (ProcessNotFoundException | MailboxFullException e) {
      droppedOutcomes.incrementAndGet();
      log.debug("dropped the outcome of contract call {} for {}: {}", handle, pid, e.getMessage());
    } catch (RuntimeException e) {
      droppedOutcomes.incrementAndGet();
      log.debug("dropped the outcome of contract call {} for {}", handle, pid, e);
    }
  }

  private void asyncCancel(
      CommandContext context, AsyncCancel cancel, long tag, ResultReceiver receiver) {
    Pid pid = Callers.pidOf(context, "contract.AsyncCancel");
    long handle = cancel.id().value();
    PendingCall pending;
    try {
      pending = asyncCalls.remove(context, handle);
    } catch (HandleNotFoundException notOwned) {
      if (pid.equals(recentlyDelivered.get(handle))) {
        // Its outcome was sent just before: the process will receive it.
        receiver.completeYield(tag, false, null);
        return;
      }
      throw notOwned;
    }
    receiver.completeYield(tag, pending.cancel(), null);
  }

  // ---- running one call ----

  /**
   * Starts {@code target} on {@code instance}: on a virtual thread for a local binding, as its task
   * for a remote one. The returned outcome fails with the call's typed error.
   */
  private PendingCall start(
      Bindings bindings,
      Instance instance,
      Target target,
      String name,
      List<@Nullable Object> arguments) {
    Binding binding = instance.binding();
    @Nullable Object[] args = arguments.toArray();
    if (binding.isRemote()) {
      TaskApp app = requireNonNull(bindings.app(), "a remote binding's app");
      Result<@Nullable Object> result =
          app.call(target.taskName(), target.valueType(), binding.options(), args);
      CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();
      result
          .onSuccess(outcome::complete)
          .onFailure(
              error -> outcome.completeExceptionally(new TaskFailedException(result.key(), error)));
      return new PendingCall(outcome, result::cancel);
    }
    Object implementation = requireNonNull(instance.target(), "a local instance's target");
    CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();
    AtomicReference<@Nullable CompletionStage<?>> returnedStage = new AtomicReference<>();
    Future<?> running;
    try {
      running =
          executor.submit(
              () -> {
                try {
                  Object value = target.method().invoke(implementation, args);
                  if (target.shape() == Shape.FUTURE) {
                    if (!(value instanceof CompletionStage<?> stage)) {
                      outcome.completeExceptionally(
                          new ContractCallFailedException(
                              binding.id(),
                              name,
                              new NullPointerException("the method returned a null future")));
                      return;
                    }
                    returnedStage.set(stage);
                    var _ =
                        stage.whenComplete(
                            (stageValue, error) -> {
                              if (error == null) {
                                outcome.complete(stageValue);
                              } else {
                                outcome.completeExceptionally(
                                    new ContractCallFailedException(
                                        binding.id(), name, unwrap(error)));
                              }
                            });
                  } else {
                    outcome.complete(target.shape() == Shape.VOID ? null : value);
                  }
                } catch (InvocationTargetException e) {
                  outcome.completeExceptionally(
                      new ContractCallFailedException(
                          binding.id(), name, e.getCause() == null ? e : e.getCause()));
                } catch (IllegalAccessException | RuntimeException | Error e) {
                  outcome.completeExceptionally(
                      new ContractCallFailedException(binding.id(), name, e));
                }
              });
    } catch (RejectedExecutionException e) {
      outcome.completeExceptionally(stoppedModule());
      return new PendingCall(outcome, () -> false);
    }
    return new PendingCall(
        outcome,
        () -> {
          boolean changed = !outcome.isDone();
          running.cancel(true);
          CompletionStage<?> stage = returnedStage.get();
          if (stage != null) {
            stage.toCompletableFuture().cancel(true);
          }
          return changed;
        });
  }

  private void executeOrFail(Runnable job, java.util.function.Consumer<RuntimeException> failed) {
    try {
      executor.execute(job);
    } catch (RejectedExecutionException e) {
      failed.accept(stoppedModule());
    }
  }

  private static IllegalStateException stoppedModule() {
    return new IllegalStateException("the contract module has stopped");
  }

  private static Throwable unwrap(Throwable error) {
    Throwable current = error;
    while (current instanceof CompletionException && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  private static RuntimeException asRuntime(Throwable error) {
    return error instanceof RuntimeException runtime
        ? runtime
        : new IllegalStateException("the call failed", error);
  }

  /** An opened instance: its binding, and the implementation (null for a remote binding). */
  private record Instance(Binding binding, @Nullable Object target) {}

  /**
   * One running call: a future of its outcome (failing with the call's typed error) and how to stop
   * it; {@code cancel} returns whether the call had no outcome yet.
   */
  private record PendingCall(
      CompletableFuture<@Nullable Object> outcome, CancelAction cancelAction) {
    boolean cancel() {
      return cancelAction.cancel();
    }
  }

  @FunctionalInterface
  private interface CancelAction {
    boolean cancel();
  }
}
