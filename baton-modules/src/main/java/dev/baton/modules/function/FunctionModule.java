package dev.baton.modules.function;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.HandleNotFoundException;
import dev.baton.modules.function.Functions.AsyncCallId;
import dev.baton.modules.function.Functions.AsyncCancel;
import dev.baton.modules.function.Functions.AsyncStart;
import dev.baton.modules.function.Functions.Call;
import dev.baton.modules.function.Functions.FunctionOutcome;
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
import dev.baton.tasks.TaskOptions;
import java.lang.reflect.Type;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The function module ({@value #MODULE}, ids 140-142): where Baton's two layers meet. A process
 * yields {@link Call} and the call runs as a task of the node's {@link TaskApp}, in this JVM or on
 * any worker of the cluster, and its outcome resumes the process; or it yields {@link AsyncStart}
 * and receives the outcome later as a message.
 *
 * <p>Boot it with {@code Dispatcher.component(new FunctionModule())} beside a component named
 * {@value #TASKS_COMPONENT} that shares the node's app under {@link TaskApp#KEY}, for example
 * {@code Component.named("tasks").onLoad(ctx -> ctx.with(TaskApp.KEY, app))}. Without that
 * component the node fails at boot, saying so. The module neither creates nor closes the app: it
 * belongs to the component that shares it.
 *
 * <p><b>Design.</b> Handlers never block: they start the call and complete the yield from the
 * {@link Result}'s callbacks, on whatever thread the task framework completes the result (a worker
 * thread in local mode, a report thread in remote mode). Each handler watches its context's
 * cancellation: a {@link Call} whose deadline passes or whose process ends is revoked and completes
 * with a {@link CancellationException} (which the runtime drops). An {@link AsyncStart}'s call
 * belongs to its process in an {@link OwnedResources} table, as an {@link AsyncCall} whose end is
 * decided once, by one compare-and-set, between its outcome (which is then sent) and a cancel
 * ({@link AsyncCancel}, the owner's end, the module's stop; nothing is sent): exactly one message
 * or none, and an AsyncCancel returns true exactly when it decided. A delivered call's id is
 * recorded (in {@code recentlyDelivered}) before its entry leaves the table, so an AsyncCancel that
 * no longer finds the entry finds the record. Outcome messages are sent without ever throwing into
 * the task framework's thread: a full mailbox or an ended process drops the outcome (logged at
 * debug, counted in {@link #droppedOutcomes()}). The module's stop and the handlers' adds to that
 * table are ordered by one lock ({@code lifecycle}): a call is either in the table when the stop
 * clears it, or refused by the table and cancelled by its own handler.
 *
 * <p>Thread-safe: handlers run concurrently for any number of processes.
 */
public final class FunctionModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "function";

  /** The name of the component this module depends on to share the node's {@link TaskApp}. */
  public static final String TASKS_COMPONENT = "tasks";

  private static final Logger log = LoggerFactory.getLogger(FunctionModule.class);

  private final OwnedResources<AsyncCall> asyncCalls = new OwnedResources<>("async call");

  /**
   * Orders {@link #stop()} against {@link AsyncStart} handlers adding their call to {@link
   * #asyncCalls}: {@code stopping} is set once by the stop under this lock before it clears the
   * table, and a handler checks it and adds under the same lock. So a call is either added before
   * the stop (whose {@code clear()} then finds and cancels it) or refused and cancelled by its
   * handler; none that started as the module stopped runs on and sends its outcome.
   */
  private final Object lifecycle = new Object();

  /** Set once by {@link #stop()}; guarded by {@link #lifecycle}. */
  private boolean stopping;

  /** Runs in an AsyncStart handler between the call's start and its add to the table; for tests. */
  private final Runnable afterAsyncStart;

  private final AtomicLong droppedOutcomes = new AtomicLong();

  /** Async calls whose outcome was handled (sent, dropped, or discarded after a cancel). */
  private final AtomicLong settledOutcomes = new AtomicLong();

  /**
   * The last {@value #DELIVERED_MEMORY} asynchronous calls whose outcome was sent, with their
   * owner, so an {@link AsyncCancel} that raced the outcome returns false instead of failing.
   * Bounded: an id older than that is {@link HandleNotFoundException}, as documented. An id is put
   * here only by the call that won its decision as delivered, before its entry leaves {@link
   * #asyncCalls}; guarded by its own lock.
   */
  private final Map<Long, Pid> recentlyDelivered =
      Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Pid> eldest) {
              return size() > DELIVERED_MEMORY;
            }
          });

  /** How many delivered ids {@link #recentlyDelivered} remembers. */
  static final int DELIVERED_MEMORY = 1024;

  /** Creates the module; it finds the app and the scheduler when the node loads it. */
  public FunctionModule() {
    this(() -> {});
  }

  /**
   * For tests: {@code afterAsyncStart} runs in each {@link AsyncStart} handler after its call has
   * started and before the call is added to its process's table.
   */
  FunctionModule(Runnable afterAsyncStart) {
    this.afterAsyncStart = afterAsyncStart;
  }

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(Functions.CALL, Functions.ASYNC_START, Functions.ASYNC_CANCEL);
  }

  /**
   * The {@value #TASKS_COMPONENT} component (the app) and the scheduler (to send outcome messages).
   */
  @Override
  public List<String> dependsOn() {
    return List.of(TASKS_COMPONENT, Scheduler.COMPONENT_NAME);
  }

  /**
   * @throws IllegalStateException if no component shared a {@link TaskApp} under {@link
   *     TaskApp#KEY}; the node fails at boot with it
   */
  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    TaskApp app =
        services
            .find(TaskApp.KEY)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the function module needs the node's task app, but no component shared"
                            + " one under TaskApp.KEY; add the '"
                            + TASKS_COMPONENT
                            + "' component, for example Component.named(\""
                            + TASKS_COMPONENT
                            + "\").onLoad(ctx -> ctx.with(TaskApp.KEY, app))"));
    Scheduler scheduler = services.require(Scheduler.KEY);
    registrar.register(
        Functions.CALL,
        Handler.forType(
            Call.class, (context, call, tag, receiver) -> call(app, context, call, tag, receiver)));
    registrar.register(
        Functions.ASYNC_START,
        Handler.forType(
            AsyncStart.class,
            (context, start, tag, receiver) ->
                asyncStart(app, scheduler, context, start, tag, receiver)));
    registrar.register(
        Functions.ASYNC_CANCEL, Handler.forType(AsyncCancel.class, this::asyncCancel));
  }

  /**
   * Revokes every asynchronous call still running; their callers get no outcome message. A call
   * that was starting as the module stopped is revoked too (its AsyncStart still returns its id,
   * and no message follows), as is any AsyncStart handled after the stop. Returns without waiting
   * for the revoked tasks to end. Thread-safe; a second stop finds nothing to revoke.
   */
  @Override
  public void stop() {
    synchronized (lifecycle) {
      stopping = true;
    }
    for (AsyncCall call : asyncCalls.clear()) {
      var _ = call.cancel();
    }
  }

  /**
   * How many outcome messages were dropped because the caller had ended or its mailbox was full.
   */
  public long droppedOutcomes() {
    return droppedOutcomes.get();
  }

  /** How many asynchronous calls are running (started, with no outcome sent and not cancelled). */
  public int runningAsyncCalls() {
    return asyncCalls.size();
  }

  /**
   * How many asynchronous calls had their outcome handled: sent, dropped, or discarded because a
   * cancel decided the call first. For tests, which await it to know that no outcome of a cancelled
   * call is still on its way.
   */
  long settledOutcomes() {
    return settledOutcomes.get();
  }

  // ---- Call ----

  private static void call(
      TaskApp app, CommandContext context, Call<?> call, long tag, ResultReceiver receiver) {
    if (context.isCancelled()) {
      // Do not start a call nobody waits for; the runtime drops this completion.
      receiver.completeYield(tag, null, revoked(call.task()));
      return;
    }
    Result<?> result = start(app, call.task(), call.arguments(), call.options(), call.returnType());
    // The first of the outcome and the cancellation (the Call's deadline passed or its caller
    // ended) completes the tag; the cancellation also revokes the call. Its completion is dropped
    // by the runtime, and completing frees the runtime's record of the yield.
    AtomicBoolean done = new AtomicBoolean();
    Registration revokeOnCancel =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                result.cancel();
                receiver.completeYield(tag, null, revoked(call.task()));
              }
            });
    result
        .onSuccess(
            value -> {
              if (done.compareAndSet(false, true)) {
                revokeOnCancel.remove();
                receiver.completeYield(tag, value, null);
              }
            })
        .onFailure(
            error -> {
              if (done.compareAndSet(false, true)) {
                revokeOnCancel.remove();
                receiver.completeYield(tag, null, new TaskFailedException(result.key(), error));
              }
            });
  }

  private static CancellationException revoked(String task) {
    return new CancellationException(
        "the call of task " + task + " was revoked: its deadline passed or its caller ended");
  }

  // ---- AsyncStart / AsyncCancel ----

  private void asyncStart(
      TaskApp app,
      Scheduler scheduler,
      CommandContext context,
      AsyncStart start,
      long tag,
      ResultReceiver receiver) {
    Pid pid = Callers.pidOf(context, "function.AsyncStart");
    if (context.isCancelled()) {
      // Start nothing; the runtime drops this completion.
      receiver.completeYield(tag, null, revoked(start.task()));
      return;
    }
    Result<?> result =
        start(app, start.task(), start.arguments(), start.options(), start.returnType());
    AsyncCall call = new AsyncCall(result);
    long handle = asyncCalls.nextHandle();
    AsyncCallId id = new AsyncCallId(handle);
    afterAsyncStart.run();
    // Owned before the callbacks are attached, so an outcome that is already there finds the entry;
    // if the owner is already gone, this cancels the call at once.
    boolean owned;
    synchronized (lifecycle) {
      owned = !stopping;
      if (owned) {
        asyncCalls.add(handle, context, call, AsyncCall::cancel);
      }
    }
    if (!owned) {
      // The module stopped while the call was starting, and its stop, which revokes every async
      // call, could not find this one: revoke it here. Its outcome, once attached below, finds it
      // cancelled and sends nothing.
      var _ = call.cancel();
    }
    // Completed before the callbacks are attached, so the process receives the handle before the
    // outcome message that names it.
    receiver.completeYield(tag, id, null);
    result
        .onSuccess(value -> deliver(scheduler, pid, start.topic(), handle, call, value, null))
        .onFailure(
            error ->
                deliver(
                    scheduler,
                    pid,
                    start.topic(),
                    handle,
                    call,
                    null,
                    new TaskFailedException(result.key(), error)));
  }

  /**
   * Sends the outcome if no cancel decided the call first (a cancelled call sends nothing). Never
   * throws, since it runs on the task framework's thread (or on the thread that revoked the call).
   */
  private void deliver(
      Scheduler scheduler,
      Pid pid,
      String topic,
      long handle,
      AsyncCall call,
      @Nullable Object value,
      @Nullable TaskFailedException error) {
    try {
      if (!call.decide(AsyncCall.DELIVERED)) {
        return;
      }
      // Recorded before the entry leaves the table, so an AsyncCancel that no longer finds the
      // entry finds this and returns false.
      recentlyDelivered.put(handle, pid);
      var _ = asyncCalls.forget(handle);
      FunctionOutcome outcome = new FunctionOutcome(new AsyncCallId(handle), value, error);
      try {
        scheduler.send(pid, new Message(topic, outcome, null));
      } catch (ProcessNotFoundException | MailboxFullException e) {
        droppedOutcomes.incrementAndGet();
        log.debug("dropped the outcome of async call {} for {}: {}", handle, pid, e.getMessage());
      } catch (RuntimeException e) {
        // For example the scheduler shutting down: the outcome has nowhere to go.
        droppedOutcomes.incrementAndGet();
        log.debug("dropped the outcome of async call {} for {}", handle, pid, e);
      }
    } finally {
      settledOutcomes.incrementAndGet();
    }
  }

  private void asyncCancel(
      CommandContext context, AsyncCancel cancel, long tag, ResultReceiver receiver) {
    Pid pid = Callers.pidOf(context, "function.AsyncCancel");
    long handle = cancel.id().value();
    AsyncCall call;
    try {
      call = asyncCalls.get(context, handle);
    } catch (HandleNotFoundException notOwned) {
      if (pid.equals(recentlyDelivered.get(handle))) {
        // Its outcome won the race and was sent (or is being sent): the process will receive it.
        receiver.completeYield(tag, false, null);
        return;
      }
      throw notOwned;
    }
    if (!call.cancel()) {
      if (call.delivered()) {
        // The outcome won the race and is being sent.
        receiver.completeYield(tag, false, null);
        return;
      }
      // Cancelled just before by another AsyncCancel of this process, or by the module's stop.
      throw new HandleNotFoundException("async call", handle);
    }
    // Decided as cancelled: its outcome, if it comes, is discarded, so the entry can go.
    var _ = asyncCalls.forget(handle);
    receiver.completeYield(tag, true, null);
  }

  /**
   * One asynchronous call: its result, and the decision, made once by a compare-and-set on {@code
   * decided}, between delivering its outcome ({@link #deliver}) and cancelling it ({@link #cancel}:
   * AsyncCancel, the owner's end, the module's stop). Whoever loses does nothing.
   */
  private static final class AsyncCall {
    static final int RUNNING = 0;
    static final int DELIVERED = 1;
    static final int CANCELLED = 2;

    private final Result<?> result;

    /** RUNNING until the one compare-and-set that moves it to DELIVERED or CANCELLED. */
    private final AtomicInteger decided = new AtomicInteger(RUNNING);

    AsyncCall(Result<?> result) {
      this.result = result;
    }

    /** Decides the call's end as {@code how}; false if it was decided before. */
    boolean decide(int how) {
      return decided.compareAndSet(RUNNING, how);
    }

    /** Whether the outcome won: its message is sent or being sent. */
    boolean delivered() {
      return decided.get() == DELIVERED;
    }

    /**
     * Decides the call as cancelled and revokes its task, unless its outcome (or another cancel)
     * decided it first; returns whether this cancel decided it.
     */
    boolean cancel() {
      if (!decide(CANCELLED)) {
        return false;
      }
      // Revoking completes the result (if nothing did), whose callback then finds it cancelled.
      var _ = result.cancel();
      return true;
    }
  }

  // ---- shared ----

  private static Result<?> start(
      TaskApp app,
      String task,
      List<@Nullable Object> arguments,
      @Nullable TaskOptions options,
      @Nullable Type returnType) {
    @Nullable Object[] args = arguments.toArray();
    if (returnType != null) {
      return app.call(task, returnType, options, args);
    }
    if (options != null) {
      return app.call(task, options, args);
    }
    return app.call(task, args);
  }
}
