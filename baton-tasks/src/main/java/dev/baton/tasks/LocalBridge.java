package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.WorkerHeartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Local mode: an in-process job queue. Calls become {@link LocalTask}s on a {@link LocalQueue};
 * workers run them and hand reports straight to the caller's {@link CallResult}. Nothing is
 * marshalled. Every option works as it does remotely: eta and retry backoff on the time source,
 * priorities, revocation, timeouts, expiry, idempotency keys, and dead letters (kept in memory,
 * with retry and discard through {@link #inspection()}).
 *
 * <p>Concurrency: queues and the idempotency and dead-letter tables are concurrent structures; each
 * task is owned by one thread at a time (the caller, a timer, then one worker).
 */
final class LocalBridge implements Bridge, BrokerInspection {

  private final AppServices services;
  private final Map<String, LocalQueue> queues = new ConcurrentHashMap<>();
  private final Map<TaskKey, Claim> idempotency = new ConcurrentHashMap<>();
  private final ConcurrentLinkedDeque<LocalDeadLetter> deadLetters = new ConcurrentLinkedDeque<>();
  private final AtomicLong deadLetterIds = new AtomicLong();
  private final SplittableRandom jitterSeed = new SplittableRandom();
  private final Set<LocalTask> delayedTasks = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;
  private final AtomicLong claimsMade = new AtomicLong();

  /** An idempotency key's first call, kept until the key expires (on the nano clock). */
  private record Claim(CallResult<?> result, long expiresNanos) {
    boolean isLive(long nowNanos) {
      return expiresNanos - nowNanos > 0;
    }
  }

  /** A task that failed its last attempt, with what is needed to run it again. */
  private record LocalDeadLetter(String id, LocalTask task, DeadLetter view) {}

  LocalBridge(AppServices services) {
    this.services = services;
  }

  // ---- caller side ----

  @Override
  public CallResult<?> call(CallRequest request) {
    TaskKey key = request.key();
    TaskEntry entry = request.entry();
    if (entry == null) {
      return CallResult.failed(
          key,
          new TaskError(
              ErrorCode.UNKNOWN_TASK,
              "no task named '" + key.name() + "' is registered in this app; register it first"),
          services,
          request.createdNanos());
    }
    @Nullable Object[] arguments;
    try {
      arguments = entry.corrector().correct(request.arguments());
    } catch (MarshallingException e) {
      return CallResult.failed(
          key,
          new TaskError(ErrorCode.BAD_ARGUMENTS, String.valueOf(e.getMessage())),
          services,
          request.createdNanos());
    }
    TaskOptions options = request.options();
    String idempotencyKey = options.idempotencyKey();
    TaskKey claimKey = idempotencyKey == null ? null : new TaskKey(key.name(), idempotencyKey);
    if (claimKey != null) {
      Claim existing = idempotency.get(claimKey);
      if (existing != null && existing.isLive(request.createdNanos())) {
        return existing.result();
      }
    }
    LocalTask task = new LocalTask(entry, key, options, arguments, request.trace(), services);
    CallResult<?> result =
        new CallResult<>(
            key,
            options.monitorProgress(),
            services,
            options.ignoreReport() ? null : options.timeout(),
            null, // local calls are failed at close through the queues, not a pending table
            task,
            true,
            request.createdNanos());
    task.result = result;
    if (claimKey != null) {
      sweepExpiredClaims(request.createdNanos());
      Claim claim = new Claim(result, request.createdNanos() + options.resultExpiry().toNanos());
      Claim winner =
          idempotency.merge(
              claimKey, claim, (old, fresh) -> old.isLive(request.createdNanos()) ? old : fresh);
      if (!winner.equals(claim)) {
        return winner.result();
      }
    }
    Duration delay = delayUntil(options.eta());
    if (options.monitorProgress()) {
      result.accept(services.report(key, ReportStatus.SENT, 1));
    }
    result.armDeadline(delay);
    result.sent();
    ObserverCalls observers = services.observers();
    if (observers.active()) {
      // Before the task is queued, so that the worker's callbacks come after this one.
      observers.sent(key, task.queue(), task.callerTrace());
    }
    if (options.ignoreReport()) {
      // Complete before the task is queued, so the worker's own outcome cannot race with it.
      result.succeed(null, 1);
    }
    enqueue(queue(task.queue()), task, delay);
    if (stopped) {
      // close() may have drained the queues just before this task arrived.
      result.fail(TaskEngine.shutdownError(key), 1);
    }
    return result;
  }

  /** Drops expired idempotency claims, every 1,024 claims, so unique keys do not pile up. */
  private void sweepExpiredClaims(long nowNanos) {
    if ((claimsMade.incrementAndGet() & 1023) == 0) {
      idempotency.values().removeIf(claim -> !claim.isLive(nowNanos));
    }
  }

  private Duration delayUntil(@Nullable Instant eta) {
    if (eta == null) {
      return Duration.ZERO;
    }
    Duration delay = Duration.between(services.time().now(), eta);
    return delay.isNegative() ? Duration.ZERO : delay;
  }

  private void enqueue(LocalQueue queue, LocalTask task, Duration delay) {
    if (delay.isZero()) {
      queue.offer(task);
      return;
    }
    queue.delayedAdded();
    delayedTasks.add(task);
    var _ =
        services
            .time()
            .schedule(
                delay,
                () -> {
                  queue.delayedArrived();
                  if (delayedTasks.remove(task)) {
                    queue.offer(task);
                  }
                });
  }

  LocalQueue queue(String name) {
    LocalQueue queue = queues.get(name); // the common case, without computeIfAbsent's locking
    return queue != null ? queue : queues.computeIfAbsent(name, n -> new LocalQueue(n, this::run));
  }

  // ---- worker side ----

  private void run(LocalTask task) {
    if (task.stopReason() != null) {
      return; // revoked or timed out by its caller, who already has the outcome
    }
    TaskKey key = task.key;
    CallResult<?> result = task.result;
    int attempt = task.attempt;
    if (services.time().nanoTime() - task.createdNanos() >= task.options.resultExpiry().toNanos()) {
      result.fail(
          new TaskError(
              ErrorCode.EXPIRED,
              "task "
                  + key
                  + " expired before a worker started it (result expiry "
                  + task.options.resultExpiry()
                  + ")"),
          attempt);
      return;
    }
    if (task.options.monitorProgress()) {
      result.accept(services.report(key, ReportStatus.PROGRESS, attempt));
    }
    RunningAttempt running = new RunningAttempt(attempt, task);
    task.started(running);
    ObserverCalls observers = services.observers();
    if (observers.active()) {
      observers.attemptStarted(key, attempt, running.trace());
    }
    long startedNanos = services.time().nanoTime();
    Invoker invoker =
        services
            .catalog()
            .marshaller(services.catalog().marshallerChoice(key.name()).taskMarshallerId())
            .invoker();
    TaskError error;
    try {
      error =
          services
              .runner()
              .run(task.entry.signature(), task.entry.function(), invoker, task.arguments, running);
    } finally {
      task.finished();
    }
    long tookNanos = services.time().nanoTime() - startedNanos;
    if (error == null) {
      if (observers.active()) {
        observers.attemptFinished(
            key, attempt, TaskObserver.AttemptOutcome.SUCCEEDED, null, tookNanos);
      }
      result.succeed(running.value(), attempt);
      return;
    }
    RetryPolicy retry = task.options.retry();
    boolean retryable = task.stopReason() == null && retry.retries(attempt, error.code());
    if (retryable && stopped) {
      // The app is closing: no next attempt will run, so the caller hears SHUTDOWN.
      if (observers.active()) {
        observers.attemptFinished(
            key, attempt, TaskObserver.AttemptOutcome.FAILED, error, tookNanos);
      }
      result.fail(TaskEngine.shutdownError(key), attempt);
      return;
    }
    if (retryable) {
      if (observers.active()) {
        observers.attemptFinished(
            key, attempt, TaskObserver.AttemptOutcome.RETRYING, error, tookNanos);
      }
      Duration backoff = retry.backoffAfter(attempt, jitterSeed.split());
      services.emit(
          EventOrigin.WORKER,
          EventLevel.INFO,
          EventCode.RETRY_SCHEDULED,
          "attempt " + attempt + " of " + key + " failed (" + error + "); retrying in " + backoff,
          key,
          null);
      result.accept(
          new Report(key, ReportStatus.RETRY, attempt, null, error, null, services.time().now()));
      task.attempt = attempt + 1;
      enqueue(queue(task.queue()), task, backoff);
      return;
    }
    if (error.code() == ErrorCode.PANIC) {
      services.emit(
          EventOrigin.WORKER, EventLevel.ERROR, EventCode.WORKER_PANIC, error.message(), key, null);
    }
    boolean deadLetter =
        task.stopReason() == null && retry.maxAttempts() > 1 && isRetryable(error.code());
    if (observers.active()) {
      observers.attemptFinished(
          key,
          attempt,
          deadLetter
              ? TaskObserver.AttemptOutcome.DEAD_LETTERED
              : TaskObserver.AttemptOutcome.FAILED,
          error,
          tookNanos);
    }
    if (deadLetter) {
      // Listed before the caller hears of it, so inspection agrees with a DEAD result.
      result.willDeadLetter();
      deadLetter(task, error);
    }
    result.fail(error, attempt);
  }

  private static boolean isRetryable(ErrorCode code) {
    return code == ErrorCode.TASK_FAILED || code == ErrorCode.PANIC || code == ErrorCode.TIMEOUT;
  }

  private void deadLetter(LocalTask task, TaskError error) {
    String id = Long.toString(deadLetterIds.incrementAndGet());
    DeadLetter view =
        new DeadLetter(id, task.queue(), task.key, error, services.time().now(), new byte[0]);
    deadLetters.add(new LocalDeadLetter(id, task, view));
    services.emit(
        EventOrigin.WORKER,
        EventLevel.WARNING,
        EventCode.DEAD_LETTERED,
        task.key + " failed its last attempt and was dead-lettered: " + error,
        task.key,
        null);
    ObserverCalls observers = services.observers();
    if (observers.active()) {
      observers.deadLettered(task.key, task.queue(), error);
    }
  }

  // ---- the rest of the bridge ----

  @Override
  public void registered(TaskEntry entry) {}

  @Override
  public void allocate(String queue, int count, int share) {
    queue(queue).addWorkers(count);
  }

  @Override
  public Set<Role> use(Object adapter, Set<Role> roles) {
    throw new TaskConfigurationException(
        "a local-mode app has its own in-memory transport and attaches no adapters;"
            + " create the app with TaskApp.remote() to use a broker or a backend");
  }

  @Override
  public Optional<BrokerInspection> inspection() {
    return Optional.of(this);
  }

  @Override
  public void stopWorkers() {
    stopped = true;
    long deadline = System.nanoTime() + services.settings().shutdownGrace().toNanos();
    List<LocalTask> neverRan = new ArrayList<>();
    boolean interrupted = false;
    for (LocalQueue queue : queues.values()) {
      while (true) {
        try {
          neverRan.addAll(queue.stop(deadline));
          break;
        } catch (InterruptedException e) {
          // Every queue must stop and every call must hear SHUTDOWN; the interrupt is kept.
          interrupted = true;
        }
      }
    }
    for (LocalTask task : List.copyOf(delayedTasks)) {
      if (delayedTasks.remove(task)) {
        neverRan.add(task);
      }
    }
    for (LocalTask task : neverRan) {
      task.result.fail(TaskEngine.shutdownError(task.key), task.attempt);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    idempotency.clear();
  }

  // ---- inspection ----

  @Override
  public List<QueueStats> queues() {
    List<QueueStats> stats = new ArrayList<>();
    Map<String, Long> deadByQueue = new java.util.HashMap<>();
    for (LocalDeadLetter letter : deadLetters) {
      deadByQueue.merge(letter.view().queue(), 1L, Long::sum);
    }
    for (LocalQueue queue : queues.values()) {
      stats.add(
          new QueueStats(
              queue.name(),
              queue.readyCount(),
              queue.delayedCount(),
              queue.busyCount(),
              deadByQueue.getOrDefault(queue.name(), 0L)));
    }
    stats.sort(java.util.Comparator.comparing(QueueStats::queue));
    return stats;
  }

  @Override
  public List<WorkerHeartbeat> workers() {
    Set<String> served = new HashSet<>();
    int busy = 0;
    int capacity = 0;
    for (LocalQueue queue : queues.values()) {
      if (queue.workerCount() > 0) {
        served.add(queue.name());
        busy += queue.busyCount();
        capacity += queue.workerCount();
      }
    }
    if (served.isEmpty()) {
      return List.of();
    }
    return List.of(
        new WorkerHeartbeat(
            services.settings().workerId(), served, busy, capacity, services.time().now()));
  }

  @Override
  public List<DeadLetter> deadLetters(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    return deadLetters.stream().limit(limit).map(LocalDeadLetter::view).toList();
  }

  @Override
  public boolean retryDeadLetter(String deadLetterId) {
    requireNonNull(deadLetterId, "deadLetterId");
    for (LocalDeadLetter letter : deadLetters) {
      if (letter.id().equals(deadLetterId) && deadLetters.remove(letter)) {
        LocalTask old = letter.task();
        // The original caller has its outcome; the retried task runs for its effect alone.
        LocalTask again =
            new LocalTask(
                old.entry, old.key, old.options, old.arguments, old.callerTrace(), services);
        // No caller waits for it, so no observer hears a callFinished; its attempts are observed.
        again.result =
            new CallResult<>(
                old.key, false, services, null, null, again, false, services.time().nanoTime());
        queue(old.queue()).offer(again);
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean discardDeadLetter(String deadLetterId) {
    requireNonNull(deadLetterId, "deadLetterId");
    return deadLetters.removeIf(letter -> letter.id().equals(deadLetterId));
  }
}
