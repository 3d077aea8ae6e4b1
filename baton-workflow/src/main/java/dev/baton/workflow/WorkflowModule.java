package dev.baton.workflow;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import dev.baton.workflow.spi.JournalConflictException;
import dev.baton.workflow.spi.JournalUnavailableException;
import dev.baton.workflow.spi.Payload;
import dev.baton.workflow.spi.WorkflowJournal;
import dev.baton.workflow.spi.WorkflowRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workflow engine and command module (ids 180-183): runs registered {@link Workflow} types as
 * coroutine processes whose every command is journaled in a {@link WorkflowJournal}, and, when the
 * node starts, resumes the workflows the journal holds as unfinished (replaying each to where it
 * was).
 *
 * <p>Boot it with {@code Dispatcher.component(module)}, built by {@link #builder()}. It needs the
 * scheduler and time components, and, since it resumes workflows as it starts, the dispatchers of
 * every command family the workflows call ({@link Builder#after}).
 *
 * <p><b>Concurrency.</b> {@link #start} and resumption hold one lock while they look the id up in
 * the table of running workflows and in the journal and launch the run, so one node runs a workflow
 * at most once at a time; across nodes, the journal's conditional append lets one of two runs of
 * the same workflow advance and stops the other with {@link JournalConflictException}. Each run
 * executes on its coroutine's virtual thread and does its journal I/O there; handlers do theirs on
 * the module's virtual-thread executor, never on the dispatching thread.
 *
 * <p><b>Errors.</b> {@link WorkflowTypeNotFoundException}, {@link WorkflowFailedException}, {@link
 * NotAWorkflowException}, {@link NonDeterminismException}, {@link JournalConflictException}, {@link
 * JournalUnavailableException}.
 */
public final class WorkflowModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "workflow";

  private static final Logger LOG = LoggerFactory.getLogger(WorkflowModule.class);

  private final WorkflowJournal journal;
  private final Map<String, Workflow> types;
  private final List<String> after;
  private final JsonCodec codec = new JsonCodec();
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock: the runs of this node, by workflow id; a run removes itself when it ends.
  private final Map<String, WorkflowRun> running = new HashMap<>();
  // The runs by their process, for the handlers (which learn only the caller's pid).
  private final ConcurrentHashMap<Pid, WorkflowRun> byPid = new ConcurrentHashMap<>();

  // Set once by registerAll, before any command or start.
  private volatile @Nullable Scheduler scheduler;
  private volatile @Nullable TimeSource time;
  private volatile @Nullable ExecutorService executor;

  private WorkflowModule(Builder builder) {
    this.journal = requireNonNull(builder.journal, "journal");
    this.types = Map.copyOf(builder.types);
    this.after = List.copyOf(builder.after);
  }

  /** A builder: a journal (in memory by default) and the workflow types. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(Workflows.SIDE_EFFECT, Workflows.CALL, Workflows.VERSION, Workflows.UPSERT_ATTRS);
  }

  /** The scheduler, the time source, and the components named by {@link Builder#after}. */
  @Override
  public List<String> dependsOn() {
    List<String> names = new ArrayList<>();
    names.add(Scheduler.COMPONENT_NAME);
    names.add(SystemTimeSource.COMPONENT_NAME);
    names.addAll(after);
    return names;
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    scheduler = services.require(Scheduler.KEY);
    time = services.require(TimeSource.KEY);
    registrar.register(
        Workflows.SIDE_EFFECT,
        Handler.forType(
            Workflows.SideEffect.class,
            (context, effect, tag, receiver) -> {
              var _ = workflowOf(context, "SideEffect");
              Callable<?> fn = effect.fn();
              runOff(context, tag, receiver, fn);
            }));
    registrar.register(
        Workflows.VERSION,
        Handler.forType(
            Workflows.Version.class,
            (context, version, tag, receiver) -> {
              var _ = workflowOf(context, "Version");
              receiver.completeYield(tag, version.maxSupported(), null);
            }));
    registrar.register(
        Workflows.UPSERT_ATTRS,
        Handler.forType(
            Workflows.UpsertAttrs.class,
            (context, upsert, tag, receiver) -> {
              WorkflowRun run = workflowOf(context, "UpsertAttrs");
              runOff(
                  context,
                  tag,
                  receiver,
                  () -> {
                    journal.upsertAttributes(run.workflowId(), upsert.attributes());
                    return null;
                  });
            }));
    registrar.register(
        Workflows.CALL,
        Handler.forType(
            Workflows.Call.class,
            (context, call, tag, receiver) -> {
              String id = call.id();
              if (id == null) {
                throw new IllegalArgumentException(
                    "a Call outside a workflow needs an id (only a workflow's child gets one made"
                        + " for it)");
              }
              runOff(
                  context,
                  tag,
                  receiver,
                  () ->
                      codec.decode(
                          await(launch(call.type(), id, call.input())), call.resultType()));
            }));
  }

  /**
   * Resumes the workflows the journal holds as unfinished (each replays its journal and goes on); a
   * workflow of a type not registered here is left for a node that has it (logged).
   */
  @Override
  public void start() {
    executor = Executors.newVirtualThreadPerTaskExecutor();
    for (WorkflowRecord record : journal.unfinished()) {
      if (!types.containsKey(record.type())) {
        LOG.warn(
            "unfinished workflow '{}' has type '{}', which is not registered here; left as it is",
            record.id(),
            record.type());
        continue;
      }
      try {
        var _ = launch(record.type(), record.id(), null);
      } catch (RuntimeException e) {
        LOG.warn("resuming workflow '{}' failed", record.id(), e);
      }
    }
  }

  /** Stops the handlers' executor; the runs end with the scheduler (they stay resumable). */
  @Override
  public void stop() {
    ExecutorService running = executor;
    if (running != null) {
      running.shutdownNow();
    }
  }

  /**
   * Starts the workflow {@code type} as {@code id} with {@code input} (journaled as JSON), or
   * attaches to it if that id exists: a running one's result, a finished one's journaled outcome.
   * May block on the journal (call it from a virtual thread or a test, not a scheduler worker).
   *
   * @return its result, read back from the journal as the class it had; fails with {@link
   *     WorkflowFailedException} if its code threw, or with what stopped the run without finishing
   *     it ({@link NonDeterminismException}, a journal error, the node stopping)
   * @throws WorkflowTypeNotFoundException if {@code type} is not registered, or the id is taken by
   *     a workflow of another type
   * @throws IllegalArgumentException if {@code id} is blank or contains a NUL character, or a new
   *     workflow's input cannot be journaled as JSON and read back
   * @throws IllegalStateException if the node has not started
   */
  public CompletableFuture<@Nullable Object> start(String type, String id, @Nullable Object input) {
    return launch(type, id, input).thenApply(payload -> codec.decode(payload, null));
  }

  /** Like {@link #start(String, String, Object)}, reading the result back as {@code resultType}. */
  public <T> CompletableFuture<T> start(
      String type, String id, @Nullable Object input, Class<T> resultType) {
    requireNonNull(resultType, "resultType");
    return launch(type, id, input)
        .thenApply(payload -> resultType.cast(codec.decode(payload, resultType)));
  }

  /**
   * The workflow {@code id} as the journal holds it (status, input, outcome). Blocks on the
   * journal.
   */
  public Optional<WorkflowRecord> describe(String id) {
    return journal.find(requireNonNull(id, "id"));
  }

  /** The searchable attributes of workflow {@code id}. Blocks on the journal. */
  public Map<String, String> attributes(String id) {
    return journal.attributes(requireNonNull(id, "id"));
  }

  /** The ids of workflows whose attribute {@code name} equals {@code value}, sorted. */
  public List<String> findByAttribute(String name, String value) {
    return journal.findByAttribute(name, value);
  }

  // ---- internals ----

  JsonCodec codec() {
    return codec;
  }

  WorkflowJournal journal() {
    return journal;
  }

  TimeSource time() {
    return requireNonNull(time, "time");
  }

  void bind(Pid pid, WorkflowRun run) {
    byPid.put(pid, run);
  }

  void ended(Pid pid, WorkflowRun run) {
    byPid.remove(pid, run);
    lock.lock();
    try {
      running.remove(run.workflowId(), run);
    } finally {
      lock.unlock();
    }
  }

  /** The journaled outcome's future of workflow {@code id}: attached, finished, or launched now. */
  CompletableFuture<Payload> launch(String type, String id, @Nullable Object input) {
    requireNonNull(type, "type");
    requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("a workflow id must not be blank");
    }
    Workflows.requireNoNul(id, "id");
    Workflow body = types.get(type);
    if (body == null) {
      throw new WorkflowTypeNotFoundException(type, types.keySet());
    }
    Scheduler processes = scheduler;
    if (processes == null || executor == null) {
      throw new IllegalStateException("the workflow module has not started");
    }
    lock.lock();
    try {
      WorkflowRun existing = running.get(id);
      if (existing != null) {
        if (!existing.workflowType().equals(type)) {
          throw new WorkflowTypeNotFoundException(id, existing.workflowType(), type);
        }
        return existing.outcome().copy();
      }
      Optional<WorkflowRecord> found = journal.find(id);
      if (found.isEmpty()) {
        Payload encoded = codec.encode(input);
        var _ = codec.decode(encoded, null); // an input its run could not read back is refused
        if (!journal.create(id, type, encoded)) {
          found = journal.find(id); // another node created it meanwhile
        }
      }
      WorkflowRecord record =
          found.orElseGet(
              () ->
                  journal.find(id).orElseThrow(() -> new JournalConflictException(id, "vanished")));
      if (!record.type().equals(type)) {
        throw new WorkflowTypeNotFoundException(id, record.type(), type);
      }
      return switch (record.status()) {
        case COMPLETED -> CompletableFuture.completedFuture(requireNonNull(record.result()));
        case FAILED ->
            CompletableFuture.failedFuture(
                new WorkflowFailedException(id, requireNonNull(record.failure())));
        case RUNNING -> {
          WorkflowRun run = new WorkflowRun(this, record, body);
          running.put(id, run);
          try {
            var _ = processes.spawnCoroutine(run::execute, null);
          } catch (RuntimeException e) {
            running.remove(id, run);
            throw e;
          }
          yield run.outcome().copy();
        }
      };
    } finally {
      lock.unlock();
    }
  }

  /** The run whose process dispatched this command; else {@link NotAWorkflowException}. */
  private WorkflowRun workflowOf(CommandContext context, String command) {
    WorkflowRun run = context.caller() instanceof Pid pid ? byPid.get(pid) : null;
    if (run == null) {
      throw new NotAWorkflowException(command, context.caller());
    }
    return run;
  }

  private static Payload await(CompletableFuture<Payload> outcome) throws Exception {
    try {
      return outcome.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception exception) {
        throw exception;
      }
      throw e;
    }
  }

  /**
   * Runs {@code work} on the module's executor and completes {@code tag} with its value or error.
   * If the command is cancelled first, the work is interrupted and the tag completes with a {@link
   * CancellationException} (which the runtime drops); the cancellation callback is removed when the
   * work completes first.
   */
  private void runOff(CommandContext context, long tag, ResultReceiver receiver, Callable<?> work) {
    ExecutorService pool = executor;
    if (pool == null || context.isCancelled()) {
      receiver.completeYield(tag, null, abandoned());
      return;
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<@Nullable Registration> watch = new AtomicReference<>();
    Future<?> task =
        pool.submit(
            () -> {
              @Nullable Object value = null;
              @Nullable Throwable error = null;
              try {
                value = work.call();
              } catch (Throwable e) {
                error = e;
              }
              if (error != null && pool.isShutdown()) {
                // The node is stopping (the work was interrupted): not the command's own outcome,
                // so it must not be journaled; the run stops and is resumed later.
                error =
                    new CancellationException("the workflow module stopped while " + work + " ran");
              }
              if (done.compareAndSet(false, true)) {
                Registration registration = watch.get();
                if (registration != null) {
                  var _ = registration.remove();
                }
                receiver.completeYield(tag, value, error);
              }
            });
    Registration registration =
        context.onCancel(
            () -> {
              if (done.compareAndSet(false, true)) {
                var _ = task.cancel(true);
                receiver.completeYield(tag, null, abandoned());
              }
            });
    watch.set(registration);
    if (done.get()) {
      var _ = registration.remove();
    }
  }

  private static CancellationException abandoned() {
    return new CancellationException(
        "the workflow command was abandoned: its process ended or its yield's deadline passed");
  }

  /** Configures a {@link WorkflowModule}. Not thread-safe; build once. */
  public static final class Builder {
    private WorkflowJournal journal = new InMemoryWorkflowJournal();
    private final Map<String, Workflow> types = new LinkedHashMap<>();
    private final List<String> after = new ArrayList<>();

    private Builder() {}

    /**
     * The journal store (default: a new {@link InMemoryWorkflowJournal}). The caller owns it and
     * closes it after the node stops.
     */
    public Builder journal(WorkflowJournal journal) {
      this.journal = requireNonNull(journal, "journal");
      return this;
    }

    /**
     * Registers workflow code under {@code type}; journaled workflows of that type run (and replay)
     * with it, so a node must register the same types, with code compatible with their journals.
     *
     * @throws IllegalArgumentException if {@code type} is blank or taken
     */
    public Builder register(String type, Workflow workflow) {
      requireNonNull(type, "type");
      requireNonNull(workflow, "workflow");
      if (type.isBlank()) {
        throw new IllegalArgumentException("type must not be blank");
      }
      if (types.putIfAbsent(type, workflow) != null) {
        throw new IllegalArgumentException("workflow type '" + type + "' is registered twice");
      }
      return this;
    }

    /**
     * Components (typically {@code "dispatcher." + module}) that must start before this module,
     * since it resumes workflows, which call their commands, as it starts.
     */
    public Builder after(String... components) {
      for (String component : components) {
        after.add(requireNonNull(component, "component"));
      }
      return this;
    }

    /** The module. */
    public WorkflowModule build() {
      return new WorkflowModule(this);
    }
  }
}
