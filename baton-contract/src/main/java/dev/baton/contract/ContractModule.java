package dev.baton.contract;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;
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
import dev.baton.tasks.ContractTask;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * way to stop it (interrupt the local method, only while it runs it; revoke the remote task). A
 * {@link Call} completes from whichever comes first of the outcome and its context's cancellation
 * (its process ended, or its deadline passed), decided by one flag; the cancellation stops the
 * call. An {@link AsyncCall}'s end is decided once, in its {@link PendingCall}, between its outcome
 * (which is then sent) and a cancel (AsyncCancel, the owner's end, the module's stop; nothing is
 * sent): exactly one message, or none, and an AsyncCancel returns true exactly when it decided.
 * Instances and asynchronous calls belong to their process in {@link OwnedResources} tables; an
 * instance leaves its table once, and its implementation is closed once, after the last local call
 * running on it ended (see {@link Instance}).
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
  private final ExecutorService executor;

  /**
   * Orders the module's stop against handlers adding instances and asynchronous calls to their
   * tables: {@code stopping} is set once by {@link #stop()} under this lock, and a handler checks
   * it and adds its entry under the same lock. So an entry is either added before the stop (and its
   * {@code clear()} finds it) or refused and released by the handler itself; none is left behind
   * un-cancelled by a stop that cleared the tables just before it was added.
   */
  private final Object lifecycle = new Object();

  /** Set once by {@link #stop()}; guarded by {@link #lifecycle}. */
  private boolean stopping;

  private final OwnedResources<Instance> instances = new OwnedResources<>("contract instance");
  private final OwnedResources<PendingCall> asyncCalls = new OwnedResources<>("contract call");
  private final AtomicLong droppedOutcomes = new AtomicLong();

  /** Local method calls whose thread has not finished (method, outcome and its callbacks). */
  private final AtomicInteger runningLocalCalls = new AtomicInteger();

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
  public ContractModule() {
    this(Executors.newVirtualThreadPerTaskExecutor());
  }

  /** For tests: runs local methods, factories and closes on {@code executor}. */
  ContractModule(ExecutorService executor) {
    this.executor = requireNonNull(executor, "executor");
  }

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
   * Cancels every asynchronous call (their callers get no message), closes every instance once no
   * call runs on it, and waits up to five seconds for local methods and closes to end before
   * interrupting them. An asynchronous call that was starting as the module stopped is cancelled
   * too (its AsyncCall returns its id, and no message follows), and an Open that completes after
   * the stop closes its instance and fails with an {@link IllegalStateException}.
   */
  @Override
  public void stop() throws InterruptedException {
    synchronized (lifecycle) {
      stopping = true;
    }
    for (PendingCall call : asyncCalls.clear()) {
      var _ = call.cancel();
    }
    for (Instance instance : instances.clear()) {
      var _ = instance.requestClose();
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
   * How many local method calls are still on their thread (running the method, or completing its
   * outcome); for tests, which await it to know that a stopped call's thread is done.
   */
  int runningLocalCalls() {
    return runningLocalCalls.get();
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
    Interruptible run = new Interruptible();
    // The Open's end (its process ended, or its deadline passed) interrupts a blocked factory.
    Registration stopOnCancel = context.onCancel(run::stop);
    executeOrFail(
        () -> {
          Object made;
          try {
            if (!run.begin()) {
              receiver.completeYield(tag, null, new CancellationException("the Open was stopped"));
              return;
            }
            try {
              made = factory.apply(open.values());
            } finally {
              run.end();
              var _ = stopOnCancel.remove();
            }
          } catch (RuntimeException | Error e) {
            receiver.completeYield(
                tag,
                null,
                run.stopped()
                    ? new CancellationException("the Open was stopped")
                    : new ContractCallFailedException(binding.id(), "the factory", e));
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
          // If the process ended or the deadline passed meanwhile, own() closes it at once.
          InstanceId id;
          try {
            id = own(context, new Instance(binding, made));
          } catch (IllegalStateException moduleStopped) {
            receiver.completeYield(tag, null, moduleStopped);
            return;
          }
          receiver.completeYield(tag, id, null);
        },
        error -> {
          var _ = stopOnCancel.remove();
          receiver.completeYield(tag, null, error);
        });
  }

  /**
   * A blocking job that a cancellation may interrupt, only while it runs the job (the interrupt
   * never reaches the module's code after it, and the thread's status is cleared when the job
   * ends). {@code thread} and {@code stopped} are guarded by {@code this}.
   */
  private static final class Interruptible {
    private @Nullable Thread thread;
    private boolean stopped;

    /** Enters the job on this thread; false if it was stopped before it started. */
    synchronized boolean begin() {
      if (stopped) {
        return false;
      }
      thread = Thread.currentThread();
      return true;
    }

    /** Leaves the job: no interrupt reaches this thread after it. */
    void end() {
      synchronized (this) {
        thread = null;
      }
      var _ = Thread.interrupted();
    }

    synchronized void stop() {
      if (!stopped) {
        stopped = true;
        if (thread != null) {
          thread.interrupt();
        }
      }
    }

    synchronized boolean stopped() {
      return stopped;
    }
  }

  /**
   * Owns the instance for the caller and returns its id.
   *
   * @throws IllegalStateException if the module has stopped meanwhile (the instance is closed)
   */
  private InstanceId own(CommandContext context, Instance instance) {
    long handle = instances.nextHandle();
    boolean added;
    synchronized (lifecycle) {
      added = !stopping;
      if (added) {
        instances.add(
            handle,
            context,
            instance,
            owned -> {
              var _ = owned.requestClose();
            });
      }
    }
    if (!added) {
      // The stop already closed the others; it would never find this one.
      var _ = instance.requestClose();
      throw stoppedModule();
    }
    return new InstanceId(handle);
  }

  private void close(CommandContext context, Close close, long tag, ResultReceiver receiver) {
    Instance instance = instances.remove(context, close.instance().value());
    var _ =
        instance
            .requestClose()
            .whenComplete(
                (nothing, error) -> {
                  if (error == null) {
                    receiver.completeYield(tag, true, null);
                  } else {
                    receiver.completeYield(
                        tag,
                        null,
                        new ContractCallFailedException(
                            instance.binding().id(), "close", unwrap(error)));
                  }
                });
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
    PendingCall pending =
        start(bindings, instance, call.instance(), target, call.method(), call.arguments());
    // The first of the outcome and the cancellation (its process ended, or its deadline passed)
    // completes the tag; the cancellation also stops the call.
    AtomicBoolean done = new AtomicBoolean();
    Registration stopOnCancel =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                pending.stop();
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
    PendingCall pending =
        start(bindings, instance, call.instance(), target, call.method(), call.arguments());
    long handle = asyncCalls.nextHandle();
    // Owned before the outcome is watched, so an outcome already there finds the entry; if the
    // owner is already gone, this cancels the call at once.
    boolean added;
    synchronized (lifecycle) {
      added = !stopping;
      if (added) {
        asyncCalls.add(handle, context, pending, PendingCall::cancel);
      }
    }
    if (!added) {
      // The module stopped while the call was starting, and its stop, which cancels every async
      // call, could not find this one: cancel it here, so it ends now and sends no message.
      var _ = pending.cancel();
      receiver.completeYield(tag, new AsyncCallId(handle), null);
      return;
    }
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
                        pending,
                        error == null ? value : null,
                        error == null ? null : asRuntime(unwrap(error))));
  }

  /**
   * Sends the outcome if no cancel decided the call first (a cancelled call sends nothing). Never
   * throws: it runs on a method's thread or the task framework's.
   */
  private void deliver(
      Scheduler scheduler,
      Pid pid,
      String topic,
      long handle,
      PendingCall pending,
      @Nullable Object value,
      @Nullable RuntimeException error) {
    if (!pending.decide(PendingCall.DELIVERED)) {
      return;
    }
    // Remembered before the entry leaves the table, so an AsyncCancel that no longer finds the
    // entry finds this and returns false.
    recentlyDelivered.put(handle, pid);
    var _ = asyncCalls.forget(handle);
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
      pending = asyncCalls.get(context, handle);
    } catch (HandleNotFoundException notOwned) {
      if (pid.equals(recentlyDelivered.get(handle))) {
        // Its outcome was sent just before: the process will receive it.
        receiver.completeYield(tag, false, null);
        return;
      }
      throw notOwned;
    }
    if (!pending.cancel()) {
      if (pending.delivered()) {
        // The outcome won the race and is being sent.
        receiver.completeYield(tag, false, null);
        return;
      }
      // Cancelled by another command of this process (or its end) just before.
      throw new HandleNotFoundException("contract call", handle);
    }
    var _ = asyncCalls.forget(handle);
    receiver.completeYield(tag, true, null);
  }

  // ---- running one call ----

  /**
   * Starts {@code target} on {@code instance}: on a virtual thread for a local binding, as its task
   * for a remote one. The returned outcome fails with the call's typed error.
   *
   * @throws HandleNotFoundException if the instance is being closed (by Close, or its owner's end)
   */
  private PendingCall start(
      Bindings bindings,
      Instance instance,
      InstanceId id,
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
      return new PendingCall(
          outcome,
          () -> {
            var _ = result.cancel();
          });
    }
    if (!instance.acquire()) {
      // Close (or the owner's end) took it between the lookup and now.
      throw new HandleNotFoundException("contract instance", id.value());
    }
    LocalCall local = new LocalCall(instance, target, name, args);
    try {
      executor.execute(local::run);
    } catch (RejectedExecutionException e) {
      local.rejected();
    }
    return new PendingCall(local.outcome, local::stop);
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

  /**
   * An opened instance: its binding, and the implementation (null for a remote binding).
   *
   * <p><b>Concurrency.</b> An implementation made for the instance ({@link Binding#perInstance})
   * that is {@link AutoCloseable} is closed exactly once, and never while a local call runs on it:
   * {@code running} counts the calls holding it, {@code closing} is set once by {@link
   * #requestClose} (Close, the owner's end, the module's stop), and whichever of the request and
   * the last call's end comes second closes it, on a virtual thread of the module. Both fields are
   * guarded by {@code this}; a call is refused once {@code closing} is set.
   */
  private final class Instance {
    private final Binding binding;
    private final @Nullable Object target;

    /** Completed when the instance is closed (exceptionally if {@code close} threw). */
    private final CompletableFuture<@Nullable Void> closed = new CompletableFuture<>();

    private int running;
    private boolean closing;

    Instance(Binding binding, @Nullable Object target) {
      this.binding = binding;
      this.target = target;
    }

    Binding binding() {
      return binding;
    }

    @Nullable Object target() {
      return target;
    }

    /** Holds the implementation for one call; false if the instance is closing. */
    synchronized boolean acquire() {
      if (closing) {
        return false;
      }
      running++;
      return true;
    }

    /** Ends one call's hold; the last one of a closing instance closes it. */
    void release() {
      boolean closeNow;
      synchronized (this) {
        running--;
        closeNow = closing && running == 0;
      }
      if (closeNow) {
        closeImplementation();
      }
    }

    /**
     * Refuses new calls and closes the implementation once no call runs on it; returns a future of
     * the close. Never blocks: may be called on a cancelling thread. Idempotent.
     */
    CompletableFuture<@Nullable Void> requestClose() {
      boolean closeNow;
      synchronized (this) {
        if (closing) {
          return closed;
        }
        closing = true;
        closeNow = running == 0;
      }
      if (closeNow) {
        closeImplementation();
      }
      return closed;
    }

    private void closeImplementation() {
      if (binding.kind() != Binding.Kind.PER_INSTANCE
          || !(target instanceof AutoCloseable closeable)) {
        // Shared objects belong to the application; remote instances hold nothing.
        closed.complete(null);
        return;
      }
      Runnable job =
          () -> {
            try {
              closeable.close();
              closed.complete(null);
            } catch (Exception | Error e) {
              log.warn("closing an instance of binding '{}' failed", binding.id(), e);
              closed.completeExceptionally(e);
            }
          };
      try {
        executor.execute(job);
      } catch (RejectedExecutionException stopped) {
        job.run();
      }
    }
  }

  /**
   * One running call: a future of its outcome (failing with the call's typed error) and how to stop
   * it. For an asynchronous call, {@code decided} settles once whether its outcome is delivered or
   * it is cancelled (by AsyncCancel, its owner's end or the module's stop): exactly one outcome
   * message, or none.
   */
  private static final class PendingCall {
    static final int RUNNING = 0;
    static final int DELIVERED = 1;
    static final int CANCELLED = 2;

    private final CompletableFuture<@Nullable Object> outcome;
    private final Runnable stopAction;
    private final AtomicInteger decided = new AtomicInteger(RUNNING);

    PendingCall(CompletableFuture<@Nullable Object> outcome, Runnable stopAction) {
      this.outcome = outcome;
      this.stopAction = stopAction;
    }

    CompletableFuture<@Nullable Object> outcome() {
      return outcome;
    }

    /** Decides the call's end as {@code how}, if nothing decided it before. */
    boolean decide(int how) {
      return decided.compareAndSet(RUNNING, how);
    }

    /** Whether the outcome won: its message is sent (or being sent). */
    boolean delivered() {
      return decided.get() == DELIVERED;
    }

    /** Cancels the call if its outcome was not delivered first, and then stops it. */
    boolean cancel() {
      if (!decide(CANCELLED)) {
        return false;
      }
      stop();
      return true;
    }

    /** Interrupts the local method or revokes the remote task. */
    void stop() {
      stopAction.run();
    }
  }

  /**
   * One local method call on a virtual thread of the module.
   *
   * <p><b>Concurrency.</b> {@code invocation} ({@link Interruptible}) lets {@link #stop} interrupt
   * the thread only while it runs the method (so the interrupt never reaches the module's own code
   * that completes the outcome), and a call stopped before its thread started never runs the
   * method; {@code stage} is guarded by {@code this}. The instance is held until the method
   * returned and, for a future-returning method, until its future completed or the call was stopped
   * ({@code holds} counts these, released once each).
   */
  private final class LocalCall {
    final CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();
    private final Instance instance;
    private final Target target;
    private final String name;
    private final @Nullable Object[] args;
    private final AtomicInteger holds;
    private final AtomicBoolean stageHoldReleased = new AtomicBoolean();

    private final Interruptible invocation = new Interruptible();

    /** The future the method returned; guarded by {@code this}. */
    private @Nullable CompletionStage<?> stage;

    LocalCall(Instance instance, Target target, String name, @Nullable Object[] args) {
      this.instance = instance;
      this.target = target;
      this.name = name;
      this.args = args;
      this.holds = new AtomicInteger(target.shape() == ContractTask.Shape.FUTURE ? 2 : 1);
      runningLocalCalls.incrementAndGet();
    }

    void run() {
      try {
        if (!invocation.begin()) {
          releaseStageHold();
          outcome.completeExceptionally(stopped(name));
          return;
        }
        @Nullable Object value = null;
        @Nullable Throwable failure = null;
        try {
          value = target.method().invoke(requireNonNull(instance.target()), args);
        } catch (InvocationTargetException e) {
          failure = e.getCause() == null ? e : e.getCause();
        } catch (IllegalAccessException | RuntimeException | Error e) {
          failure = e;
        } finally {
          // An interrupt meant for the method must not outlive it.
          invocation.end();
        }
        complete(value, failure);
      } finally {
        release();
        runningLocalCalls.decrementAndGet();
      }
    }

    private void complete(@Nullable Object value, @Nullable Throwable failure) {
      String bindingId = instance.binding().id();
      if (failure != null) {
        releaseStageHold();
        outcome.completeExceptionally(new ContractCallFailedException(bindingId, name, failure));
        return;
      }
      if (target.shape() != ContractTask.Shape.FUTURE) {
        outcome.complete(target.shape() == ContractTask.Shape.VOID ? null : value);
        return;
      }
      if (!(value instanceof CompletionStage<?> returned)) {
        releaseStageHold();
        outcome.completeExceptionally(
            new ContractCallFailedException(
                bindingId, name, new NullPointerException("the method returned a null future")));
        return;
      }
      synchronized (this) {
        stage = returned;
      }
      // stop() marks the call stopped before it reads the stage, and this records the stage before
      // it reads the mark: one of them (or both) cancels it.
      if (invocation.stopped()) {
        cancelStage(returned);
      }
      var _ =
          returned.whenComplete(
              (stageValue, error) -> {
                releaseStageHold();
                if (error == null) {
                  outcome.complete(stageValue);
                } else {
                  outcome.completeExceptionally(
                      new ContractCallFailedException(bindingId, name, unwrap(error)));
                }
              });
    }

    /** The executor refused the job: the module has stopped. */
    void rejected() {
      releaseStageHold();
      release();
      runningLocalCalls.decrementAndGet();
      outcome.completeExceptionally(stoppedModule());
    }

    /** Interrupts the method if it is running, cancels its future, and frees the instance. */
    void stop() {
      invocation.stop();
      CompletionStage<?> returned;
      synchronized (this) {
        returned = stage;
      }
      if (returned != null) {
        cancelStage(returned);
      }
      // A future that ignores cancellation must not keep the instance open for ever.
      releaseStageHold();
    }

    private void releaseStageHold() {
      if (target.shape() == ContractTask.Shape.FUTURE
          && stageHoldReleased.compareAndSet(false, true)) {
        release();
      }
    }

    private void release() {
      if (holds.decrementAndGet() == 0) {
        instance.release();
      }
    }
  }

  private static void cancelStage(CompletionStage<?> stage) {
    try {
      var _ = stage.toCompletableFuture().cancel(true);
    } catch (UnsupportedOperationException e) {
      // A stage that does not interoperate cannot be cancelled; its outcome is dropped.
    }
  }
}
