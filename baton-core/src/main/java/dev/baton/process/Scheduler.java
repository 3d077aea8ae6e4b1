package dev.baton.process;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.AppContext;
import dev.baton.boot.Component;
import dev.baton.boot.Key;
import dev.baton.dispatch.CommandRouter;
import dev.baton.dispatch.Registry;
import dev.baton.time.Scheduled;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs processes: {@link StepProcess}es on a few worker threads and {@link Coroutine}s on virtual
 * threads, in one process table. It spawns them, steps them when they have something to do, routes
 * their yields to handlers, delivers messages, terminates them and shuts down.
 *
 * <p><b>Run queues.</b> The workers are a {@link ForkJoinPool} in FIFO (async) mode, and each step
 * process is its own reusable fork/join task (see {@code ProcessCell}). Reasons: the pool gives
 * per-worker deques with work stealing, tuned for years and used by the JDK's virtual threads; a
 * process woken by a worker (its handler completed at once) is pushed on that worker's own deque, a
 * process woken from another thread (a timer, an I/O callback) goes through the pool's submission
 * queues; and because the task object is the process itself, scheduling a step allocates nothing.
 * Measured in {@code baton-bench} ({@code DispatchRoundTripBenchmark}): 12.6 M round trips/s with
 * 1,000 in flight and 32 B per round trip on 2 cores, about 4x the 3 M/s target, so no hand-written
 * Chase-Lev design was built; one would have to beat these figures in the same benchmark to replace
 * the pool.
 *
 * <p><b>Guarantees.</b> A process never runs on two workers at once; an event that arrives while it
 * runs is not lost; a completion for an ended process, a second completion of a tag, and a
 * completion after its yield's deadline are dropped. Steps are not preempted: a step runs until it
 * returns.
 *
 * <p>Thread-safe: every public method may be called from any thread.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  /** The key under which a node shares its scheduler. */
  public static final Key<Scheduler> KEY = Key.of("process.scheduler", Scheduler.class);

  /** The name of the boot component returned by {@link #component()}. */
  public static final String COMPONENT_NAME = "scheduler";

  /** Messages a process's mailbox holds by default before sends fail with MailboxFull. */
  public static final int DEFAULT_MAILBOX_CAPACITY = 10_000;

  /** How long the node's shutdown waits for processes to end after cancelling them. */
  public static final Duration DEFAULT_SHUTDOWN_DEADLINE = Duration.ofSeconds(10);

  private final CommandRouter router;
  private final TimeSource timeSource;
  private final int maxProcesses;
  private final int mailboxCapacity;
  private final ProcessListener listener;
  private final ForkJoinPool pool;
  private final CopyOnWriteArrayList<Worker> workers = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<Pid, ProcessRecord> processes = new ConcurrentHashMap<>();
  private final Topology topology = new Topology(processes::containsKey);
  private final AtomicLong lastPid = new AtomicLong();
  private final AtomicInteger live = new AtomicInteger();
  private final AtomicLong spawned = new AtomicLong();
  private final AtomicBoolean stopping = new AtomicBoolean();

  /** Completed by the first shutdown; later calls wait for it and return the same report. */
  private final CompletableFuture<ShutdownReport> shutdownReport = new CompletableFuture<>();

  private final ReentrantLock endLock = new ReentrantLock();
  private final Condition processEnded = endLock.newCondition();
  private volatile AppContext services;

  private Scheduler(Builder builder, Registry registry, TimeSource timeSource) {
    this.router = new CommandRouter(registry);
    this.timeSource = timeSource;
    this.maxProcesses = builder.maxProcesses;
    this.mailboxCapacity = builder.mailboxCapacity;
    this.listener = builder.listener;
    this.services = builder.services;
    AtomicInteger nextIndex = new AtomicInteger();
    this.pool =
        new ForkJoinPool(
            builder.workers,
            forkJoinPool -> {
              Worker worker = new Worker(forkJoinPool, this, nextIndex.getAndIncrement());
              workers.add(worker);
              return worker;
            },
            (thread, failure) -> log.error("worker {} failed", thread.getName(), failure),
            true,
            builder.workers,
            builder.workers + 256,
            1,
            pool -> false,
            365,
            TimeUnit.DAYS);
  }

  /** Starts configuring a scheduler. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the boot component, named {@value #COMPONENT_NAME}, that creates the node's scheduler
   * over its registry and time source, shares it under {@link #KEY}, and shuts it down (cancel,
   * then terminate after {@link #DEFAULT_SHUTDOWN_DEADLINE}) when the node stops.
   */
  public static Component component() {
    return Component.named(COMPONENT_NAME)
        .dependsOn(Registry.COMPONENT_NAME, SystemTimeSource.COMPONENT_NAME)
        .onLoad(
            context ->
                context.with(
                    KEY,
                    builder()
                        .registry(context.require(Registry.KEY))
                        .timeSource(context.require(TimeSource.KEY))
                        .build()))
        .onStart(context -> context.require(KEY).services = context)
        .onStop(context -> context.require(KEY).shutdown(DEFAULT_SHUTDOWN_DEADLINE))
        .build();
  }

  // ---- processes ----

  /**
   * Spawns {@code process} with no input; see {@link #spawn(StepProcess, Object, SpawnOptions)}.
   */
  public Pid spawn(StepProcess process) {
    return spawn(process, null, SpawnOptions.NONE);
  }

  /** Spawns {@code process}; see {@link #spawn(StepProcess, Object, SpawnOptions)}. */
  public Pid spawn(StepProcess process, @Nullable Object input) {
    return spawn(process, input, SpawnOptions.NONE);
  }

  /**
   * Spawns {@code process}: wires it into the topology as {@code options} say, runs its {@code
   * init} on this thread, then queues its first step.
   *
   * @return the new process's pid; its {@code init} has run
   * @throws SchedulerStoppedException if the scheduler is shutting down
   * @throws MaxProcessesExceededException if the scheduler runs its maximum of processes
   * @throws NameTakenException if the name in {@code options} belongs to a live process
   * @throws ProcessNotFoundException if the parent in {@code options} has ended
   * @throws SpawnFailedException if {@code init} threw; no process exists then
   */
  public Pid spawn(StepProcess process, @Nullable Object input, SpawnOptions options) {
    requireNonNull(process, "process");
    requireNonNull(options, "options");
    Pid pid = admit();
    ProcessCell cell = new ProcessCell(this, pid, process);
    // In the table before init: a link or monitor that fires while init runs, or a message sent to
    // a name init registers, reaches the inbox and is acted on by the first step.
    enter(cell, options);
    try {
      process.init(cell.context(), input);
    } catch (Throwable e) {
      processes.remove(pid, cell);
      topology.discard(pid);
      live.decrementAndGet();
      cell.initFailed();
      if (e instanceof VirtualMachineError fatal) {
        throw fatal;
      }
      throw new SpawnFailedException(process.getClass().getName(), e);
    }
    started(cell);
    submit(cell);
    return pid;
  }

  /**
   * Spawns {@code body} as a coroutine process on a virtual thread of its own, wired into the
   * topology as {@code options} say.
   *
   * @return the new process's pid; its thread has been started
   * @throws SchedulerStoppedException if the scheduler is shutting down
   * @throws MaxProcessesExceededException if the scheduler runs its maximum of processes
   * @throws NameTakenException if the name in {@code options} belongs to a live process
   */
  public Pid spawnCoroutine(Coroutine body, @Nullable Object input, SpawnOptions options) {
    requireNonNull(body, "body");
    requireNonNull(options, "options");
    CoroutineCell cell = new CoroutineCell(this, admit(), body, input);
    enter(cell, options);
    started(cell);
    cell.start();
    return cell.pid();
  }

  /** Spawns a coroutine; see {@link #spawnCoroutine(Coroutine, Object, SpawnOptions)}. */
  public Pid spawnCoroutine(Coroutine body, @Nullable Object input) {
    return spawnCoroutine(body, input, SpawnOptions.NONE);
  }

  /**
   * Spawns a coroutine with no input; see {@link #spawnCoroutine(Coroutine, Object, SpawnOptions)}.
   */
  public Pid spawnCoroutine(Coroutine body) {
    return spawnCoroutine(body, null, SpawnOptions.NONE);
  }

  /** Checks the scheduler may take one more process, counts it and allocates its pid. */
  private Pid admit() {
    if (stopping.get()) {
      throw new SchedulerStoppedException();
    }
    if (live.incrementAndGet() > maxProcesses) {
      live.decrementAndGet();
      throw new MaxProcessesExceededException(maxProcesses);
    }
    return new Pid(lastPid.incrementAndGet());
  }

  /**
   * Puts a new process in the table, then wires it into the topology (name, parent, traps); undoes
   * both and the count if the topology refuses (a taken name, an ended parent).
   */
  private void enter(ProcessRecord record, SpawnOptions options) {
    processes.put(record.pid(), record);
    try {
      topology.add(record.pid(), options);
    } catch (RuntimeException refused) {
      processes.remove(record.pid(), record);
      live.decrementAndGet();
      throw refused;
    }
  }

  /**
   * Counts and announces a process about to run. A spawn that raced the start of a shutdown (it
   * passed the check before the shutdown's sweeps) is terminated here, so none outlives the
   * shutdown.
   */
  private void started(ProcessRecord record) {
    spawned.incrementAndGet();
    notifyStart(record.pid());
    if (stopping.get()) {
      record.terminate("scheduler shut down");
    }
  }

  /**
   * Delivers {@code message} to {@code to}'s mailbox and wakes it.
   *
   * @throws ProcessNotFoundException if {@code to} is not a live process
   * @throws MailboxFullException if its mailbox is full
   * @throws IllegalArgumentException if the topic is reserved (starts with {@code @})
   */
  public void send(Pid to, Message message) {
    requireNonNull(message, "message");
    if (message.isReserved()) {
      throw new IllegalArgumentException(
          "topic '"
              + message.topic()
              + "' is reserved for the runtime's notifications (topics starting with @)");
    }
    if (!live(to).offerMessage(message, mailboxCapacity)) {
      throw new ProcessNotFoundException(to);
    }
  }

  /** Sends a message on {@code topic} from outside any process; see {@link #send(Pid, Message)}. */
  public void send(Pid to, String topic, @Nullable Object payload) {
    send(to, new Message(topic, payload, null));
  }

  /**
   * Asks {@code pid} to stop: delivers a message on {@link Message#CANCEL_TOPIC} with {@code
   * reason}. Cooperative: the process decides what to do.
   *
   * @throws ProcessNotFoundException if {@code pid} is not a live process
   */
  public void cancel(Pid pid, String reason) {
    if (!live(pid)
        .offerMessage(new Message(Message.CANCEL_TOPIC, reason, null), Integer.MAX_VALUE)) {
      throw new ProcessNotFoundException(pid);
    }
  }

  /**
   * Stops {@code pid} forcefully: cancels its context, so its handlers stop, and ends it with a
   * {@link ProcessTerminatedException} at its next chance (at once if it is waiting, after its
   * current step if it is running).
   *
   * @throws ProcessNotFoundException if {@code pid} is not a live process
   */
  public void terminate(Pid pid, String reason) {
    live(pid).terminate(requireNonNull(reason, "reason"));
  }

  /** Terminates {@code pid} with the reason "terminated"; see {@link #terminate(Pid, String)}. */
  public void terminate(Pid pid) {
    terminate(pid, "terminated");
  }

  /** Returns whether {@code pid} is a live process. */
  public boolean isAlive(Pid pid) {
    return processes.containsKey(pid);
  }

  // ---- topology ----

  /**
   * Lets {@code watcher} hear of {@code target}'s end, however it ends: a message on {@link
   * Message#EXIT_TOPIC} whose payload is an {@link ExitSignal}.
   *
   * @throws ProcessNotFoundException if either process has ended
   */
  public void monitor(Pid watcher, Pid target) {
    topology.monitor(requireNonNull(watcher, "watcher"), requireNonNull(target, "target"));
  }

  /** Removes a monitor; returns whether it existed. */
  public boolean demonitor(Pid watcher, Pid target) {
    return topology.demonitor(watcher, target);
  }

  /**
   * Links two processes: when one fails (ends with an error), the other is terminated, or, if it
   * traps links, receives a message on {@link Message#LINK_DOWN_TOPIC}. A normal end only removes
   * the link. Linking again is a no-op.
   *
   * @throws ProcessNotFoundException if either process has ended
   */
  public void link(Pid a, Pid b) {
    topology.link(requireNonNull(a, "a"), requireNonNull(b, "b"));
  }

  /** Removes a link; returns whether it existed. */
  public boolean unlink(Pid a, Pid b) {
    return topology.unlink(a, b);
  }

  /** Makes {@code pid} receive its links' failures as messages ({@code trap}) or die of them. */
  public void trapLinks(Pid pid, boolean trap) {
    topology.trapLinks(requireNonNull(pid, "pid"), trap);
  }

  /**
   * Registers {@code pid} under {@code name}, replacing its previous name; the name is freed when
   * the process ends.
   *
   * @throws NameTakenException if another live process holds the name
   */
  public void register(String name, Pid pid) {
    if (requireNonNull(name, "name").isBlank()) {
      throw new IllegalArgumentException("a process name must not be blank");
    }
    topology.register(name, requireNonNull(pid, "pid"));
  }

  /** Frees {@code name}; returns whether it was registered. */
  public boolean unregister(String name) {
    return topology.unregister(name);
  }

  /**
   * Returns the live process registered under {@code name}. A name is reserved before its process's
   * {@code init} runs, so the lookup only answers once the process can receive messages.
   */
  public Optional<Pid> whereis(String name) {
    return topology.whereis(name).filter(processes::containsKey);
  }

  // ---- inspection ----

  /** Returns the live processes, by pid. */
  public List<ProcessInfo> processes() {
    List<ProcessInfo> list = new ArrayList<>();
    processes.forEach(
        (pid, record) ->
            list.add(
                new ProcessInfo(pid, record.typeName(), record.processState(), record.steps())));
    list.sort(Comparator.comparingLong(info -> info.pid().id()));
    return list;
  }

  /** Returns a snapshot of the workers' counts and the queues. */
  public SchedulerStats stats() {
    List<WorkerStats> perWorker = workers.stream().map(Worker::stats).toList();
    return new SchedulerStats(
        perWorker,
        live.get(),
        spawned.get(),
        pool.getQueuedTaskCount() + pool.getQueuedSubmissionCount());
  }

  /** The number of worker threads. */
  public int parallelism() {
    return pool.getParallelism();
  }

  // ---- shutdown ----

  /**
   * Stops the scheduler: refuses new spawns, cancels every process (a message on {@link
   * Message#CANCEL_TOPIC}), waits up to {@code deadline} (on the scheduler's time source) for them
   * to end, terminates the rest, waits up to {@code deadline} again, then stops the workers. A
   * later call, concurrent or not, waits for the first to finish and returns its report.
   */
  public ShutdownReport shutdown(Duration deadline) {
    requireNonNull(deadline, "deadline");
    if (!stopping.compareAndSet(false, true)) {
      return shutdownReport.join();
    }
    ShutdownReport report = new ShutdownReport(0, 0, live.get());
    try {
      int before = live.get();
      Message cancel = new Message(Message.CANCEL_TOPIC, "scheduler shutdown", null);
      for (ProcessRecord record : processes.values()) {
        record.offerMessage(cancel, Integer.MAX_VALUE); // a notification: no bound refuses it
      }
      awaitNoProcesses(deadline);
      int afterCancel = live.get();
      for (ProcessRecord record : processes.values()) {
        record.terminate("scheduler shut down");
      }
      if (afterCancel > 0) {
        awaitNoProcesses(deadline);
      }
      int stuck = live.get();
      if (stuck > 0) {
        log.warn("{} processes are still in a step after the shutdown deadline", stuck);
      }
      report = new ShutdownReport(before - afterCancel, afterCancel - stuck, stuck);
      return report;
    } finally {
      pool.shutdown();
      shutdownReport.complete(report);
    }
  }

  /** Shuts down with {@link #DEFAULT_SHUTDOWN_DEADLINE}. */
  @Override
  public void close() {
    shutdown(DEFAULT_SHUTDOWN_DEADLINE);
  }

  /**
   * Waits until no process is left or {@code deadline} has passed: on the scheduler's time source
   * (so tests drive it), and on the system clock as a backstop, so that a time source that is
   * closed or never advanced cannot hang the shutdown.
   */
  private void awaitNoProcesses(Duration deadline) {
    AtomicBoolean passed = new AtomicBoolean();
    Scheduled timer = null;
    try {
      timer =
          timeSource.schedule(
              deadline,
              () -> {
                passed.set(true);
                signalEnded();
              });
    } catch (RuntimeException timeUnavailable) {
      log.warn("the time source cannot schedule the shutdown deadline; using the system clock");
    }
    long deadlineNanos;
    try {
      deadlineNanos = Math.min(deadline.toNanos(), Long.MAX_VALUE / 4);
    } catch (ArithmeticException centuries) {
      deadlineNanos = Long.MAX_VALUE / 4;
    }
    long backstop = System.nanoTime() + deadlineNanos;
    endLock.lock();
    try {
      while (live.get() > 0 && !passed.get()) {
        long remaining = backstop - System.nanoTime();
        if (remaining <= 0) {
          return;
        }
        processEnded.awaitNanos(remaining);
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt(); // give up waiting; the shutdown carries on
    } finally {
      endLock.unlock();
      if (timer != null) {
        timer.cancel();
      }
    }
  }

  private void signalEnded() {
    endLock.lock();
    try {
      processEnded.signalAll();
    } finally {
      endLock.unlock();
    }
  }

  // ---- for ProcessCell and Worker ----

  CommandRouter router() {
    return router;
  }

  TimeSource timeSource() {
    return timeSource;
  }

  AppContext services() {
    return services;
  }

  /** Queues {@code cell}, which its caller has just moved to READY, for a worker to step. */
  void submit(ProcessCell cell) {
    if (Thread.currentThread() instanceof Worker worker && worker.scheduler == this) {
      cell.queuedBy = worker.index;
      cell.fork();
      return;
    }
    cell.queuedBy = -1;
    try {
      pool.execute(cell);
    } catch (RejectedExecutionException stopped) {
      cell.abandon(new SchedulerStoppedException());
    }
  }

  void countExecution(ProcessCell cell) {
    if (Thread.currentThread() instanceof Worker worker) {
      worker.countExecution(cell.queuedBy);
    }
  }

  StepOutputBuffer outputFor(Thread thread) {
    return thread instanceof Worker worker ? worker.output : new StepOutputBuffer();
  }

  /** Called once per process, by the thread that ended it, after its close. */
  void ended(ProcessRecord record, ProcessResult result) {
    // Gone from the table and the count first: when onComplete runs, the process no longer exists.
    Pid pid = record.pid();
    processes.remove(pid, record);
    live.decrementAndGet();
    notifyTopology(pid, result);
    try {
      listener.onComplete(record.pid(), result);
    } catch (RuntimeException | LinkageError | AssertionError e) {
      log.warn("a process listener threw from onComplete({})", record.pid(), e);
    }
    if (stopping.get()) {
      signalEnded();
    }
  }

  /** Tells the ended process's watchers, and on a failure its links, as Erlang would. */
  private void notifyTopology(Pid pid, ProcessResult result) {
    Topology.Fallout fallout = topology.ended(pid, !result.isNormal());
    ExitSignal signal = new ExitSignal(pid, result);
    for (Pid watcher : fallout.watchers()) {
      deliverNotification(watcher, new Message(Message.EXIT_TOPIC, signal, pid));
    }
    for (Pid linked : fallout.linked()) {
      if (fallout.trapping().contains(linked)) {
        deliverNotification(linked, new Message(Message.LINK_DOWN_TOPIC, signal, pid));
      } else {
        ProcessRecord other = processes.get(linked);
        if (other != null) {
          other.terminate("linked process " + pid + " failed: " + result.error());
        }
      }
    }
  }

  /** Delivers a runtime notification, which no mailbox bound refuses; a gone target is skipped. */
  void deliverNotification(Pid to, Message message) {
    ProcessRecord record = processes.get(to);
    if (record != null) {
      record.offerMessage(message, Integer.MAX_VALUE);
    }
  }

  private void notifyStart(Pid pid) {
    try {
      listener.onStart(pid);
    } catch (RuntimeException e) {
      log.warn("a process listener threw from onStart({})", pid, e);
    }
  }

  private ProcessRecord live(Pid pid) {
    ProcessRecord record = processes.get(requireNonNull(pid, "pid"));
    if (record == null) {
      throw new ProcessNotFoundException(pid);
    }
    return record;
  }

  /** Configures a {@link Scheduler}; rejects bad values naming them. */
  public static final class Builder {
    private @Nullable Registry registry;
    private @Nullable TimeSource timeSource;
    private int workers = Runtime.getRuntime().availableProcessors();
    private int maxProcesses = Integer.MAX_VALUE;
    private int mailboxCapacity = DEFAULT_MAILBOX_CAPACITY;
    private ProcessListener listener = new ProcessListener() {};
    private AppContext services = AppContext.empty();

    private Builder() {}

    /** The registry whose handlers the processes' yields go to. Required. */
    public Builder registry(Registry registry) {
      this.registry = requireNonNull(registry, "registry");
      return this;
    }

    /** The time source for yield deadlines and the shutdown deadline. Required. */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = requireNonNull(timeSource, "timeSource");
      return this;
    }

    /** The number of worker threads; default: the available processors. */
    public Builder workers(int workers) {
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be at least 1, was " + workers);
      }
      this.workers = workers;
      return this;
    }

    /** The most processes alive at once; further spawns fail. Default: no limit. */
    public Builder maxProcesses(int maxProcesses) {
      if (maxProcesses < 1) {
        throw new IllegalArgumentException("maxProcesses must be at least 1, was " + maxProcesses);
      }
      this.maxProcesses = maxProcesses;
      return this;
    }

    /** How many messages may wait in one mailbox; default {@value #DEFAULT_MAILBOX_CAPACITY}. */
    public Builder mailboxCapacity(int mailboxCapacity) {
      if (mailboxCapacity < 1) {
        throw new IllegalArgumentException(
            "mailboxCapacity must be at least 1, was " + mailboxCapacity);
      }
      this.mailboxCapacity = mailboxCapacity;
      return this;
    }

    /** Hooks called when each process starts and ends. */
    public Builder listener(ProcessListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /** The services processes and their handlers see; default: an empty context. */
    public Builder services(AppContext services) {
      this.services = requireNonNull(services, "services");
      return this;
    }

    /** Creates the scheduler; its workers start on demand. */
    public Scheduler build() {
      if (registry == null) {
        throw new IllegalStateException("a scheduler needs a registry: call registry(...)");
      }
      if (timeSource == null) {
        throw new IllegalStateException("a scheduler needs a time source: call timeSource(...)");
      }
      return new Scheduler(this, registry, timeSource);
    }
  }
}
