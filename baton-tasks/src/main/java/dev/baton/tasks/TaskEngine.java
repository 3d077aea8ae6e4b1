package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.internal.ContractMethod;
import dev.baton.tasks.internal.ContractMethods;
import dev.baton.tasks.internal.MethodTasks;
import dev.baton.tasks.internal.TaskDefinition;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The implementation behind {@link TaskApp}: resolves calls (options, ids, signatures), hands them
 * to the bridge of the app's mode, and runs the app's lifecycle.
 *
 * <p>Concurrency: registration, calls and attachment may come from any thread; the catalog and the
 * bridge are thread-safe. {@code closed} is set once under {@code lifecycle}; a call that races
 * with close either is refused with SHUTDOWN or is in the pending table when close fails everything
 * pending, so no call is left without an outcome.
 */
final class TaskEngine {

  private final AppSettings settings;
  private final TimeSource time;
  private final @Nullable SystemTimeSource ownedTime;
  private final TaskCatalog catalog;
  private final EventBus events;
  private final PendingCalls pending = new PendingCalls();
  private final AppServices services;
  private final Bridge bridge;
  private final Object lifecycle = new Object();
  private volatile boolean closed;

  TaskEngine(AppSettings settings) {
    this.settings = settings;
    TimeSource given = settings.timeSource();
    this.ownedTime = given == null ? new SystemTimeSource("baton-tasks-timer") : null;
    this.time = given != null ? given : requireNonNull(ownedTime);
    this.catalog = new TaskCatalog(settings.mode(), () -> time.now().toEpochMilli());
    this.events = new EventBus(settings.eventBufferSize());
    this.services =
        new AppServices(
            settings,
            time,
            catalog,
            events,
            pending,
            new AttemptRunner(time),
            new ObserverCalls(settings.observer(), events, time));
    this.bridge =
        settings.mode() == TaskApp.Mode.LOCAL
            ? new LocalBridge(services)
            : new RemoteBridge(services);
  }

  AppSettings settings() {
    return settings;
  }

  TaskCatalog catalog() {
    return catalog;
  }

  EventBus events() {
    return events;
  }

  // ---- registration ----

  void register(TaskSignature signature, TaskFunction function) {
    ensureOpen();
    bridge.registered(catalog.register(signature, function));
  }

  void registerMethod(
      String name, Object target, String methodName, MethodHandles.@Nullable Lookup lookup) {
    TaskDefinition task = MethodTasks.forMethodNamed(name, target, methodName, lookup);
    register(task.signature(), task.function());
  }

  <T> List<String> registerAll(
      Class<T> contract, T implementation, MethodHandles.@Nullable Lookup lookup) {
    requireNonNull(implementation, "implementation");
    List<ContractMethod> methods = ContractMethods.describe(contract);
    List<String> names = new ArrayList<>(methods.size());
    for (ContractMethod method : methods) {
      TaskDefinition task = MethodTasks.implementing(method, implementation, lookup);
      register(task.signature(), task.function());
      names.add(method.taskName());
    }
    return List.copyOf(names);
  }

  <T> T stub(Class<T> contract, @Nullable TaskOptions options) {
    List<ContractMethod> methods = ContractMethods.describe(contract);
    Map<java.lang.reflect.Method, ContractMethod> byMethod =
        methods.stream().collect(Collectors.toUnmodifiableMap(ContractMethod::method, m -> m));
    for (ContractMethod method : methods) {
      catalog.rememberStubSignature(method.signature());
    }
    StubHandler handler = new StubHandler(this, contract, byMethod, options);
    return contract.cast(
        Proxy.newProxyInstance(contract.getClassLoader(), new Class<?>[] {contract}, handler));
  }

  void setMarshaller(String name, int taskMarshallerId, int reportMarshallerId) {
    catalog.setMarshaller(name, taskMarshallerId, reportMarshallerId);
  }

  Set<Role> use(Object adapter, Set<Role> roles) {
    requireNonNull(adapter, "adapter");
    ensureOpen();
    return bridge.use(adapter, roles);
  }

  // ---- workers ----

  void allocate(String name, int count, int share) {
    ensureOpen();
    catalog.require(name);
    checkCounts(count, share);
    bridge.allocate(name, count, share);
  }

  void allocateQueue(String queue, int count) {
    requireNonNull(queue, "queue");
    ensureOpen();
    checkCounts(count, 0);
    if (queue.isBlank()) {
      throw new TaskConfigurationException("a queue name must not be blank");
    }
    bridge.allocate(queue, count, 0);
  }

  private static void checkCounts(int count, int share) {
    if (count < 0) {
      throw new TaskConfigurationException("count must not be negative, got " + count);
    }
    if (share < 0) {
      throw new TaskConfigurationException("share must not be negative, got " + share);
    }
  }

  // ---- calls ----

  @SuppressWarnings("unchecked") // the value is decoded or corrected to the signature's type
  <T extends @Nullable Object> Result<T> call(
      String name,
      @Nullable TaskOptions given,
      @Nullable Type returnType,
      @Nullable Object @Nullable [] arguments) {
    requireNonNull(name, "name");
    @Nullable Object[] args = arguments == null ? new @Nullable Object[] {null} : arguments;
    TaskOptions options = resolve(given != null ? given : catalog.optionsOf(name));
    TaskKey key = new TaskKey(name, catalog.idMakerOf(name).newId(name));
    long createdNanos = time.nanoTime();
    if (closed) {
      return CallResult.failed(key, shutdownError(key), services, createdNanos);
    }
    TaskEntry entry = catalog.find(name);
    TaskSignature known = entry != null ? entry.signature() : catalog.knownSignature(name);
    TaskSignature signature = known != null ? known : inferSignature(name, args, returnType);
    TraceParent trace = callerTrace(options);
    if (options.traceparent() != null) {
      // The trace travels beside the options, as on the wire: the task's TaskContext.options()
      // hold none in either mode, so passing them on to a nested call continues the task's trace.
      options = options.toBuilder().traceparent(null).build();
    }
    CallRequest request =
        new CallRequest(key, options, entry, signature, returnType, args, createdNanos, trace);
    return (Result<T>) bridge.call(request);
  }

  /**
   * The trace a call continues: its options' traceparent, else the trace of the task making the
   * call (a nested call), else {@code null} for a new trace.
   */
  private static @Nullable TraceParent callerTrace(TaskOptions options) {
    TraceParent given = options.traceparent();
    if (given != null) {
      return given;
    }
    TaskContext current = CurrentTask.CONTEXT.get();
    return current != null ? current.trace() : null;
  }

  /** Turns a countdown into an eta on this app's clock. */
  private TaskOptions resolve(TaskOptions options) {
    Duration countdown = options.countdown();
    if (countdown == null) {
      return options;
    }
    return options.toBuilder().eta(time.now().plus(countdown)).build();
  }

  /**
   * The signature of a call to a task this app neither registered nor has a stub for: the
   * arguments' own classes, and the return type the caller asked for (else JSON's own types).
   */
  private static TaskSignature inferSignature(
      String name, @Nullable Object[] arguments, @Nullable Type returnType) {
    Type[] parameterTypes =
        Arrays.stream(arguments)
            .map(argument -> argument == null ? (Type) Object.class : argument.getClass())
            .toArray(Type[]::new);
    return TaskSignature.of(name, returnType != null ? returnType : Object.class, parameterTypes);
  }

  static TaskError shutdownError(TaskKey key) {
    return new TaskError(ErrorCode.SHUTDOWN, "the app closed before " + key + " had an outcome");
  }

  Optional<BrokerInspection> inspection() {
    return bridge.inspection();
  }

  private void ensureOpen() {
    if (closed) {
      throw new TaskConfigurationException("the app is closed");
    }
  }

  // ---- lifecycle ----

  void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
    }
    bridge.stopWorkers();
    pending.failAll(TaskEngine::shutdownError);
    bridge.close();
    events.close();
    if (ownedTime != null) {
      ownedTime.close();
    }
  }
}
