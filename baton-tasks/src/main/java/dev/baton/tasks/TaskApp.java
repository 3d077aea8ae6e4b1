package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.Key;
import dev.baton.tasks.internal.ContractMethods;
import dev.baton.tasks.internal.TaskDefinition;
import dev.baton.tasks.internal.TypedFunctions;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.time.TimeSource;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Baton's task framework: register functions as tasks, start workers for them, call them by name
 * and get their results, in this JVM or across machines.
 *
 * <pre>{@code
 * try (TaskApp app = TaskApp.local()) {
 *   app.register("add", int.class, int.class, int.class, (a, b) -> a + b);
 *   app.allocate("add", 2, 0);
 *   int sum = (int) app.call("add", 1, 2).await();
 * }
 * }</pre>
 *
 * <p><b>Modes.</b> {@linkplain #local() Local} mode is an in-process background job queue: tasks
 * and results pass as objects, never marshalled, and every option works (retries, timeouts, delays,
 * priorities, revocation, idempotency, dead letters, inspection). {@linkplain #remote() Remote}
 * mode sends tasks through a broker and results through a backend, attached with {@link #use}; one
 * app may be a caller (producer + store), a worker (consumer + reporter) or both.
 *
 * <p><b>Delivery.</b> A worker acknowledges a task only after its final report is stored, so a
 * worker that dies mid-task leaves it to be delivered again when its lease runs out; a caller's
 * {@link Result} completes exactly once whatever the broker redelivers.
 *
 * <p><b>Threads.</b> Every method is thread-safe. Tasks run on virtual threads, at most {@code
 * count} at a time per {@link #allocate} call. Registration and attachment may happen while calls
 * run.
 */
public final class TaskApp implements AutoCloseable {

  /** The key under which a node shares its task app. */
  public static final Key<TaskApp> KEY = Key.of("tasks.app", TaskApp.class);

  /** Where tasks and results travel. */
  public enum Mode {
    /** In this JVM, as objects. */
    LOCAL,
    /** Through an attached broker and backend, marshalled. */
    REMOTE
  }

  private final TaskEngine engine;

  private TaskApp(Builder builder) {
    this.engine = new TaskEngine(builder.settings());
  }

  /** A local-mode app on the system clock. */
  public static TaskApp local() {
    return builder().mode(Mode.LOCAL).build();
  }

  /** A remote-mode app on the system clock; attach a broker and a backend with {@link #use}. */
  public static TaskApp remote() {
    return builder().mode(Mode.REMOTE).build();
  }

  /** A builder for an app with non-default settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** This app's mode. */
  public Mode mode() {
    return engine.settings().mode();
  }

  // ---- registration ----

  /** Registers a task without parameters. */
  public <R extends @Nullable Object> void register(
      String name, Class<R> returnType, TaskFunction.Of0<R> function) {
    register(TypedFunctions.of0(name, returnType, function));
  }

  /** Registers a task of one parameter. */
  public <A extends @Nullable Object, R extends @Nullable Object> void register(
      String name, Class<A> a, Class<R> returnType, TaskFunction.Of1<A, R> function) {
    register(TypedFunctions.of1(name, a, returnType, function));
  }

  /** Registers a task of two parameters. */
  public <A extends @Nullable Object, B extends @Nullable Object, R extends @Nullable Object>
      void register(
          String name,
          Class<A> a,
          Class<B> b,
          Class<R> returnType,
          TaskFunction.Of2<A, B, R> function) {
    register(TypedFunctions.of2(name, a, b, returnType, function));
  }

  /** Registers a task of three parameters. */
  public <
          A extends @Nullable Object,
          B extends @Nullable Object,
          C extends @Nullable Object,
          R extends @Nullable Object>
      void register(
          String name,
          Class<A> a,
          Class<B> b,
          Class<C> c,
          Class<R> returnType,
          TaskFunction.Of3<A, B, C, R> function) {
    register(TypedFunctions.of3(name, a, b, c, returnType, function));
  }

  /** Registers a task of four parameters. */
  public <
          A extends @Nullable Object,
          B extends @Nullable Object,
          C extends @Nullable Object,
          D extends @Nullable Object,
          R extends @Nullable Object>
      void register(
          String name,
          Class<A> a,
          Class<B> b,
          Class<C> c,
          Class<D> d,
          Class<R> returnType,
          TaskFunction.Of4<A, B, C, D, R> function) {
    register(TypedFunctions.of4(name, a, b, c, d, returnType, function));
  }

  /**
   * Registers a task of any arity and any (generic) types: {@code signature} declares them (use
   * {@link TypeRef} for generic ones) and {@code function} receives the corrected arguments.
   *
   * @throws TaskConfigurationException if the name is taken or a type cannot be carried (the
   *     message names the parameter)
   */
  public void register(TaskSignature signature, TaskFunction function) {
    engine.register(signature, function);
  }

  private void register(TaskDefinition definition) {
    engine.register(definition.signature(), definition.function());
  }

  /**
   * Registers the public method {@code methodName} of {@code target} as the task {@code name}. The
   * method must not be overloaded. {@code lookup} ({@code MethodHandles.lookup()} in the caller's
   * class) grants access to the method's class; pass {@code null} for public methods of exported or
   * opened packages.
   */
  public void registerMethod(
      String name, Object target, String methodName, MethodHandles.@Nullable Lookup lookup) {
    engine.registerMethod(name, target, methodName, lookup);
  }

  /**
   * Registers every abstract method of {@code contract} as a task implemented by {@code
   * implementation}: named by {@link TaskName} or {@code SimpleInterfaceName.method}. Callers use
   * {@link #stub} with the same interface.
   *
   * @return the task names, sorted
   */
  public <T> List<String> registerAll(
      Class<T> contract, T implementation, MethodHandles.@Nullable Lookup lookup) {
    return engine.registerAll(contract, implementation, lookup);
  }

  /** {@link #registerAll(Class, Object, MethodHandles.Lookup)} for an accessible interface. */
  public <T> List<String> registerAll(Class<T> contract, T implementation) {
    return engine.registerAll(contract, implementation, null);
  }

  /**
   * The tasks {@code contract} declares, named and typed as {@link #registerAll} and {@link #stub}
   * name and type them, sorted by task name. Stateless and thread-safe; needs no app.
   *
   * @throws TaskConfigurationException as {@link #registerAll} would: not an interface, no abstract
   *     method, overloads without {@link TaskName}, two methods with one task name, an unsupported
   *     future type, or a parameter or return type that cannot be carried (the message names it)
   */
  public static List<ContractTask> contractTasks(Class<?> contract) {
    return ContractMethods.describe(contract).stream()
        .map(
            method ->
                new ContractTask(
                    method.method(),
                    method.taskName(),
                    method.signature(),
                    switch (method.shape()) {
                      case VALUE -> ContractTask.Shape.VALUE;
                      case FUTURE -> ContractTask.Shape.FUTURE;
                      case VOID -> ContractTask.Shape.VOID;
                    }))
        .toList();
  }

  /**
   * A typed client of {@code contract}: each method calls its task and returns the value (waiting
   * for it, throwing {@link TaskFailedException} on failure) or, if declared to return {@code
   * CompletableFuture<X>} or {@code CompletionStage<X>}, a future of it. The app need not have the
   * tasks registered: in remote mode the stub's types are what the caller encodes and decodes with.
   */
  public <T> T stub(Class<T> contract) {
    return engine.stub(contract, null);
  }

  /** {@link #stub(Class)} with the options every call of the stub uses. */
  public <T> T stub(Class<T> contract, TaskOptions options) {
    return engine.stub(contract, requireNonNull(options, "options"));
  }

  // ---- customisation (the seed's) ----

  /** Sets the default options of the task {@code name}, used by calls that pass none. */
  public void setOption(String name, TaskOptions options) {
    engine.catalog().setOptions(name, options);
  }

  /** Chooses the marshallers of the task {@code name}'s arguments and of its reports. */
  public void setMarshaller(String name, int taskMarshallerId, int reportMarshallerId) {
    engine.setMarshaller(name, taskMarshallerId, reportMarshallerId);
  }

  /**
   * Adds a marshaller and the invoker it pairs with under {@code id} (from {@link
   * Marshallers#FIRST_USER_ID}), for tasks that choose it with {@link #setMarshaller}.
   */
  public void addMarshaller(int id, Marshaller marshaller, Invoker invoker) {
    engine.catalog().addMarshaller(id, marshaller, invoker);
  }

  /** Chooses the id maker of the task {@code name}. */
  public void setIdMaker(String name, int idMakerId) {
    engine.catalog().setIdMaker(name, idMakerId);
  }

  /** Adds an id maker under {@code id} (from {@link IdMakers#FIRST_USER_ID}). */
  public void addIdMaker(int id, IdMaker idMaker) {
    engine.catalog().addIdMaker(id, idMaker);
  }

  /**
   * Attaches a broker, backend or both, for the roles given, or for every role it implements when
   * none is given. Remote mode only.
   *
   * @return the roles attached
   * @throws TaskConfigurationException if the object lacks a named role, a role is already
   *     attached, or the app is in local mode
   */
  public Set<Role> use(Object adapter, Role... roles) {
    return engine.use(adapter, Set.of(roles));
  }

  // ---- workers ----

  /**
   * Starts {@code count} more workers for the task {@code name}; callable again to add more. In
   * remote mode each call opens a new consumer subscription; every {@code share} workers share one
   * report lane ({@code 0}: all of this call's workers share one).
   *
   * @throws TaskConfigurationException if the task is not registered, no consumer is attached, or a
   *     count is negative
   */
  public void allocate(String name, int count, int share) {
    engine.allocate(name, count, share);
  }

  /**
   * Starts {@code count} workers on the routed queue {@code queue} (see {@link
   * TaskOptions#queue()}), running whichever registered task each delivery names.
   */
  public void allocateQueue(String queue, int count) {
    engine.allocateQueue(queue, count);
  }

  // ---- calls ----

  /** Calls {@code name} with the task's default options. */
  public Result<@Nullable Object> call(String name, @Nullable Object... arguments) {
    return engine.call(name, null, null, arguments);
  }

  /** Calls {@code name} with {@code options}. */
  public Result<@Nullable Object> call(
      String name, TaskOptions options, @Nullable Object... arguments) {
    return engine.call(name, requireNonNull(options, "options"), null, arguments);
  }

  /**
   * Calls {@code name} expecting a return value of {@code returnType}: a caller that has not
   * registered the task decodes the result into that type.
   */
  public <T extends @Nullable Object> Result<T> call(
      String name, Type returnType, @Nullable TaskOptions options, @Nullable Object... arguments) {
    return engine.call(name, options, requireNonNull(returnType, "returnType"), arguments);
  }

  // ---- events and inspection ----

  /**
   * Sends events from the {@code origins} at {@code level} or above to {@code listener}, on the
   * listener's own thread through a bounded buffer (a slow listener never blocks the app; what it
   * misses is counted in {@link EventSubscription#dropped()}).
   */
  public EventSubscription listen(
      Set<EventOrigin> origins, EventLevel level, Consumer<? super TaskEvent> listener) {
    return engine.events().listen(origins, level, listener);
  }

  /**
   * Stops a listener registered with {@link #listen}.
   *
   * @throws IllegalArgumentException if no listener has that id
   */
  public void stopListen(int id) {
    engine.events().stopListen(id);
  }

  /**
   * Queue depths, workers and dead letters: local mode's own, or the attached broker's when it
   * implements {@link BrokerInspection}.
   */
  public Optional<BrokerInspection> inspection() {
    return engine.inspection();
  }

  /**
   * Closes the app, in order: stops consuming, lets running attempts finish (interrupting them
   * after the shutdown grace period), stops workers and report lanes, fails every call still
   * pending with {@link ErrorCode#SHUTDOWN}, detaches adapters, and closes listeners. Idempotent.
   * Tasks already sent stay in the broker.
   */
  @Override
  public void close() {
    engine.close();
  }

  /** Settings of a {@link TaskApp}; every value is checked when {@link #build()} runs. */
  public static final class Builder {
    private Mode mode = Mode.LOCAL;
    private @Nullable TimeSource timeSource;
    private int maxPayloadBytes = 1 << 20;
    private int eventBufferSize = 1024;
    private int unknownTaskReleases = 3;
    private int prefetchMultiplier = 4;
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private Duration heartbeatInterval = Duration.ofSeconds(10);
    private @Nullable String workerId;
    private TaskObserver observer = TaskObserver.NONE;

    private Builder() {}

    /** Local (the default) or remote. */
    public Builder mode(Mode mode) {
      this.mode = requireNonNull(mode, "mode");
      return this;
    }

    /** Where the app reads time and schedules delays, timeouts and retries. */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = requireNonNull(timeSource, "timeSource");
      return this;
    }

    /** The largest encoded arguments or return value; larger fail with TOO_LARGE. 1 MiB. */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /** Events buffered per listener before it starts dropping. 1,024. */
    public Builder eventBufferSize(int eventBufferSize) {
      this.eventBufferSize = eventBufferSize;
      return this;
    }

    /**
     * In the shared-queue layout, how many times a worker gives back a task of a name it does not
     * serve before dead-lettering it with UNKNOWN_TASK. 3.
     */
    public Builder unknownTaskReleases(int unknownTaskReleases) {
      this.unknownTaskReleases = unknownTaskReleases;
      return this;
    }

    /**
     * In remote mode, how many tasks per worker a broker hands over ahead: {@code allocate(name,
     * count, …)} runs at most {@code count} tasks at once and holds up to {@code count *
     * prefetchMultiplier} (leased, waiting their turn), so the next task is at hand while the last
     * one's report and acknowledgement travel. 4, as Celery's {@code worker_prefetch_multiplier};
     * use 1 for long tasks, so tasks do not wait behind a busy worker while another is idle. A
     * worker that dies runs again at most the tasks it held.
     */
    public Builder prefetchMultiplier(int prefetchMultiplier) {
      this.prefetchMultiplier = prefetchMultiplier;
      return this;
    }

    /** How long close() lets running attempts finish before interrupting them. 5 s. */
    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = requireNonNull(shutdownGrace, "shutdownGrace");
      return this;
    }

    /** How often workers send a heartbeat to the broker. 10 s. */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = requireNonNull(heartbeatInterval, "heartbeatInterval");
      return this;
    }

    /** This app's worker id in heartbeats; a random one by default. */
    public Builder workerId(String workerId) {
      this.workerId = requireNonNull(workerId, "workerId");
      return this;
    }

    /**
     * Hears what happens to this app's calls and to the attempts its workers run (metrics, a list
     * of recent tasks); see {@link TaskObserver} for which side sees which callback. {@link
     * TaskObserver#NONE}, the default, is never called and allocates nothing for observing (a call
     * still records its start time, 8 bytes, so an observer can be told the latency). An observer
     * that throws never fails a task: the first exception is reported as a {@link
     * EventCode#GENERIC} event.
     */
    public Builder observer(TaskObserver observer) {
      this.observer = requireNonNull(observer, "observer");
      return this;
    }

    /** Builds and starts the app. */
    public TaskApp build() {
      return new TaskApp(this);
    }

    AppSettings settings() {
      return new AppSettings(
          mode,
          timeSource,
          maxPayloadBytes,
          eventBufferSize,
          unknownTaskReleases,
          prefetchMultiplier,
          shutdownGrace,
          heartbeatInterval,
          workerId != null ? workerId : "worker-" + java.util.UUID.randomUUID(),
          observer);
    }
  }
}
