package dev.baton.tasks;

import static java.util.Objects.requireNonNull;

import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.BrokerInspection;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.DeliverySource;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.EnvelopeDecodeException;
import dev.baton.tasks.spi.NamedTaskConsumer;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.ReportPublisher;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskAdapter;
import dev.baton.tasks.spi.TaskConsumer;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
import dev.baton.tasks.spi.WorkerHeartbeat;
import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Remote mode: calls and reports travel through the attached adapters, encoded with the task's
 * marshallers and {@link EnvelopeCodec}.
 *
 * <p>Caller side: the store is polled before the task is sent (so a fast report is never missed),
 * the broker's acceptance is the SENT report, and reports are decoded against the caller's
 * signature. Worker side: each delivery runs on its own virtual thread, at most {@code count} per
 * {@link #allocate} (the subscription's prefetch); reports of a call are published one after
 * another, each after the previous was stored; the delivery is acknowledged only after the final
 * report is stored, requeued for a retry, dead-lettered after its last attempt (or when it does not
 * decode, or names no task here), and released when the app closes under it.
 *
 * <p>Concurrency: attached roles are set once each under {@code this} and read without a lock
 * (volatile); subscriptions and in-flight deliveries are tracked in concurrent collections.
 */
final class RemoteBridge implements Bridge {

  private final AppServices services;
  private final TimeSource time;
  private final SplittableRandom jitterSeed = new SplittableRandom();

  private volatile @Nullable TaskProducer producer;
  private volatile @Nullable TaskConsumer sharedConsumer;
  private volatile @Nullable NamedTaskConsumer namedConsumer;
  private volatile @Nullable ReportPublisher reporter;
  private volatile @Nullable ReportStore store;

  private final List<Attachment> attachments = new CopyOnWriteArrayList<>();
  private final Set<String> declaredQueues = ConcurrentHashMap.newKeySet();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> capacityByQueue = new ConcurrentHashMap<>();
  private final Map<TaskKey, RunningAttempt> running = new ConcurrentHashMap<>();
  private final Set<RunningAttempt> runningAttempts = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile @Nullable Scheduled heartbeat;
  private volatile boolean stopping;

  /** Deliveries of one message beyond this are dead-lettered instead of run again. */
  static final int MAX_DELIVERIES = 10;

  /** The largest prefetch asked of a consumer: AMQP's prefetch count is an unsigned short. */
  static final int MAX_PREFETCH = 65_535;

  /** How long a worker waits for the backend to store one report before giving the task back. */
  static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);

  /** An adapter attached for some roles, and the context it emits through. */
  private record Attachment(TaskAdapter adapter, AdapterContext context) {}

  RemoteBridge(AppServices services) {
    this.services = services;
    this.time = services.time();
  }

  // ---- attaching ----

  @Override
  public synchronized Set<Role> use(Object adapter, Set<Role> requested) {
    Set<Role> implemented = rolesOf(adapter);
    Set<Role> roles;
    if (requested.isEmpty()) {
      if (implemented.isEmpty()) {
        throw new TaskConfigurationException(
            adapter.getClass().getName()
                + " implements none of the roles of dev.baton.tasks.spi (TaskProducer,"
                + " TaskConsumer, NamedTaskConsumer, ReportPublisher, ReportStore)");
      }
      roles = EnumSet.copyOf(implemented);
      if (roles.contains(Role.NAMED_CONSUMER)) {
        roles.remove(Role.CONSUMER); // one queue per name is the default layout
      }
    } else {
      for (Role role : requested) {
        if (!implemented.contains(role)) {
          throw new TaskConfigurationException(
              adapter.getClass().getName()
                  + " cannot be attached as "
                  + role
                  + ": it does not implement "
                  + interfaceOf(role).getSimpleName());
        }
      }
      roles = EnumSet.copyOf(requested);
    }
    for (Role role : roles) {
      if (slotTaken(role)) {
        throw new TaskConfigurationException(
            "a " + role + " is already attached to this app; an app has at most one of each role");
      }
    }
    if ((roles.contains(Role.CONSUMER) && namedConsumer != null)
        || (roles.contains(Role.NAMED_CONSUMER) && sharedConsumer != null)) {
      throw new TaskConfigurationException(
          "an app consumes either one shared queue (CONSUMER) or one queue per name"
              + " (NAMED_CONSUMER), not both");
    }
    TaskAdapter taskAdapter = (TaskAdapter) adapter;
    AdapterContext context = new RoleContext(originOf(roles.iterator().next()));
    taskAdapter.attach(context);
    attachments.add(new Attachment(taskAdapter, context));
    services.emit(
        EventOrigin.BRIDGE,
        EventLevel.INFO,
        EventCode.CONNECTION,
        "attached " + adapter.getClass().getName() + " as " + roles,
        null,
        null);
    for (Role role : roles) {
      switch (role) {
        case PRODUCER -> producer = (TaskProducer) adapter;
        case CONSUMER -> sharedConsumer = (TaskConsumer) adapter;
        case NAMED_CONSUMER -> namedConsumer = (NamedTaskConsumer) adapter;
        case REPORTER -> reporter = (ReportPublisher) adapter;
        case STORE -> store = (ReportStore) adapter;
      }
    }
    TaskProducer attachedProducer = producer;
    if (roles.contains(Role.PRODUCER) && attachedProducer != null) {
      declaredQueues.clear(); // declare again on the new producer
    }
    return Set.copyOf(roles);
  }

  private static Set<Role> rolesOf(Object adapter) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (Role role : Role.values()) {
      if (interfaceOf(role).isInstance(adapter)) {
        roles.add(role);
      }
    }
    return roles;
  }

  private static Class<?> interfaceOf(Role role) {
    return switch (role) {
      case PRODUCER -> TaskProducer.class;
      case CONSUMER -> TaskConsumer.class;
      case NAMED_CONSUMER -> NamedTaskConsumer.class;
      case REPORTER -> ReportPublisher.class;
      case STORE -> ReportStore.class;
    };
  }

  private static EventOrigin originOf(Role role) {
    return switch (role) {
      case PRODUCER -> EventOrigin.PRODUCER;
      case CONSUMER -> EventOrigin.CONSUMER;
      case NAMED_CONSUMER -> EventOrigin.NAMED_CONSUMER;
      case REPORTER -> EventOrigin.REPORTER;
      case STORE -> EventOrigin.STORE;
    };
  }

  private boolean slotTaken(Role role) {
    return switch (role) {
      case PRODUCER -> producer != null;
      case CONSUMER -> sharedConsumer != null;
      case NAMED_CONSUMER -> namedConsumer != null;
      case REPORTER -> reporter != null;
      case STORE -> store != null;
    };
  }

  /** The context one adapter emits through, tagged with the role it was attached for. */
  private final class RoleContext implements AdapterContext {
    private final EventOrigin origin;

    RoleContext(EventOrigin origin) {
      this.origin = origin;
    }

    @Override
    public TimeSource timeSource() {
      return time;
    }

    @Override
    public void emit(
        EventLevel level,
        EventCode code,
        String message,
        @Nullable TaskKey key,
        @Nullable Throwable cause) {
      services.emit(origin, level, code, message, key, cause);
    }
  }

  @Override
  public void registered(TaskEntry entry) {
    declare(entry.name());
  }

  private void declare(String queue) {
    TaskProducer attached = producer;
    if (attached != null && declaredQueues.add(queue)) {
      try {
        attached.declare(queue);
      } catch (RuntimeException e) {
        declaredQueues.remove(queue); // not declared: the next call or registration tries again
        throw e;
      }
    }
  }

  // ---- caller side ----

  @Override
  public CallResult<?> call(CallRequest request) {
    TaskKey key = request.key();
    TaskOptions options = request.options();
    TaskProducer attachedProducer = producer;
    ReportStore attachedStore = store;
    if (attachedProducer == null) {
      return refused(
          request, key, ErrorCode.GENERIC, "no producer is attached; attach a broker with use()");
    }
    if (attachedStore == null && !options.ignoreReport()) {
      return refused(
          request,
          key,
          ErrorCode.GENERIC,
          "no report store is attached; attach a backend with use(), or call with ignoreReport");
    }
    TaskCatalog.MarshallerChoice choice = services.catalog().marshallerChoice(key.name());
    TaskCatalog.MarshallerPair pair = services.catalog().marshaller(choice.taskMarshallerId());
    byte[] arguments;
    try {
      arguments = pair.marshaller().encodeArguments(request.signature(), request.arguments());
    } catch (RuntimeException e) {
      return refused(
          request,
          key,
          ErrorCode.BAD_ARGUMENTS,
          "arguments of " + key + " cannot be encoded: " + e.getMessage());
    }
    int limit = services.settings().maxPayloadBytes();
    if (arguments.length > limit) {
      return refused(
          request,
          key,
          ErrorCode.TOO_LARGE,
          "arguments of "
              + key
              + " encode to "
              + arguments.length
              + " bytes, over the limit of "
              + limit
              + " (TaskApp.Builder.maxPayloadBytes)");
    }
    boolean alreadySent = false;
    String idempotencyKey = options.idempotencyKey();
    if (idempotencyKey != null && attachedStore != null) {
      String winner =
          attachedStore.claimIdempotencyKey(
              key.name(), idempotencyKey, key.id(), options.resultExpiry());
      if (!winner.equals(key.id())) {
        key = new TaskKey(key.name(), winner);
        alreadySent = true;
      }
    }
    TaskKey callKey = key;
    boolean duplicate = alreadySent;
    CallResult<?> result =
        new CallResult<>(
            callKey,
            options.monitorProgress(),
            services,
            options.ignoreReport() ? null : options.timeout(),
            options.ignoreReport() ? null : services.pending(),
            // A duplicate shares the first call's task; giving up on it must not stop that task.
            duplicate ? reason -> {} : reason -> revoke(callKey, options, reason),
            // A duplicate is answered by the first call, which is the one observed (as locally).
            !duplicate,
            request.createdNanos());
    if (duplicate && options.ignoreReport()) {
      result.succeed(null, 1); // the first call's task is accepted; nothing to wait for
      return result;
    }
    if (!options.ignoreReport() && attachedStore != null) {
      services.pending().add(result);
      if (stopping) {
        // close() may have failed the pending calls just before this one joined them.
        result.fail(TaskEngine.shutdownError(callKey), 1);
        return result;
      }
      ReportDecoder decoder = new ReportDecoder(result, signatureFor(request));
      Subscription poll;
      try {
        poll = attachedStore.poll(callKey, decoder::receive);
      } catch (RuntimeException e) {
        // Fail the call rather than throw: it joined the pending table, and the observer hears
        // of it once. Nothing was sent, so no task runs without a caller listening.
        result.fail(
            new TaskError(
                ErrorCode.GENERIC,
                "the backend cannot poll the reports of " + callKey + ": " + e.getMessage()),
            1);
        return result;
      }
      var _ =
          result
              .toCompletableFuture()
              .whenComplete(
                  (value, failure) -> {
                    poll.cancel();
                    if (idempotencyKey == null) {
                      // Calls sharing an idempotency key share the reports; they expire instead.
                      attachedStore.done(callKey);
                    }
                  });
    }
    result.armDeadline(delayUntil(options.eta()));
    if (alreadySent) {
      return result;
    }
    TraceParent chosen = request.trace();
    TraceParent trace = chosen != null ? chosen : TraceParent.newTrace();
    TaskEnvelope envelope =
        new TaskEnvelope(
            EnvelopeCodec.VERSION,
            callKey,
            request.queue(),
            choice.taskMarshallerId(),
            choice.reportMarshallerId(),
            arguments,
            1,
            options, // without a traceparent: the trace is the envelope's own field
            time.now(),
            trace.toString(),
            attachedStore == null ? null : attachedStore.replyAddress());
    CompletionStage<Void> sent;
    try {
      // A broker that cannot declare the queue fails this call like one that refuses the task:
      // the caller (and the observer) get a failed result, and nothing stays pending.
      declare(request.queue());
      sent = attachedProducer.send(envelope);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    var _ =
        sent.whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                services.emit(
                    EventOrigin.PRODUCER,
                    EventLevel.ERROR,
                    EventCode.TASK_DELIVERY_FAILURE,
                    "the broker did not accept " + callKey + ": " + failure.getMessage(),
                    callKey,
                    failure);
                result.fail(
                    new TaskError(
                        ErrorCode.GENERIC,
                        "the broker did not accept " + callKey + ": " + failure.getMessage()),
                    1);
                return;
              }
              ObserverCalls observers = services.observers();
              if (observers.active()) {
                observers.sent(callKey, request.queue(), trace);
              }
              if (options.ignoreReport()) {
                result.sent();
                result.accept(
                    new Report(callKey, ReportStatus.SUCCESS, 1, null, null, null, time.now()));
              } else {
                if (options.monitorProgress()) {
                  result.acceptSent(services.report(callKey, ReportStatus.SENT, 1));
                } else {
                  result.sent();
                }
              }
            });
    return result;
  }

  private CallResult<?> refused(CallRequest request, TaskKey key, ErrorCode code, String message) {
    return CallResult.failed(key, new TaskError(code, message), services, request.createdNanos());
  }

  /** The signature to decode the value with: the caller's requested return type wins. */
  private static TaskSignature signatureFor(CallRequest request) {
    Type returnType = request.returnType();
    TaskSignature signature = request.signature();
    if (returnType == null || returnType.equals(signature.returnType())) {
      return signature;
    }
    return new TaskSignature(
        signature.name(), signature.parameterTypes(), signature.parameterNames(), returnType);
  }

  private Duration delayUntil(@Nullable Instant eta) {
    if (eta == null) {
      return Duration.ZERO;
    }
    Duration delay = Duration.between(time.now(), eta);
    return delay.isNegative() ? Duration.ZERO : delay;
  }

  private void revoke(TaskKey key, TaskOptions options, ErrorCode reason) {
    if (reason == ErrorCode.TIMEOUT) {
      services.emit(
          EventOrigin.CALLER,
          EventLevel.WARNING,
          EventCode.TIMEOUT,
          key + " had no outcome within its timeout of " + options.timeout() + "; it was revoked",
          key,
          null);
    }
    RunningAttempt attempt = running.get(key);
    if (attempt != null) {
      attempt.cancel(reason);
    }
    TaskProducer attachedProducer = producer;
    if (attachedProducer != null) {
      Instant until = time.now().plus(options.resultExpiry());
      var _ =
          attachedProducer
              .revoke(key, until)
              .whenComplete(
                  (ok, failure) -> {
                    if (failure != null) {
                      services.emit(
                          EventOrigin.PRODUCER,
                          EventLevel.WARNING,
                          EventCode.GENERIC,
                          "could not record the revocation of " + key + ": " + failure.getMessage(),
                          key,
                          failure);
                    }
                  });
    }
  }

  /**
   * Turns a call's encoded reports into its outcome, off the store's thread: a store hands reports
   * over on its own delivery thread (an AMQP consumer, a pub/sub connection), and the outcome runs
   * user code (callbacks, dependents of {@code toCompletableFuture()}) that may block, even on
   * another call whose report must come through that same thread. So {@link #receive} only queues
   * the bytes, and one virtual thread at a time drains them in arrival order.
   *
   * <p>Concurrency: {@code arrived} is a multi-producer queue; {@code draining} admits one drainer.
   * A drainer clears the flag when the queue looks empty and takes it back if a report slipped in
   * meanwhile, so no report is left undrained.
   */
  private final class ReportDecoder {
    private final CallResult<?> result;
    private final TaskSignature signature;
    private final ConcurrentLinkedQueue<byte[]> arrived = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    ReportDecoder(CallResult<?> result, TaskSignature signature) {
      this.result = result;
      this.signature = signature;
    }

    /** The store's sink: queues {@code body} and makes sure a drainer runs. Never blocks. */
    void receive(byte[] body) {
      arrived.add(body);
      if (draining.compareAndSet(false, true)) {
        Thread.ofVirtual().name("baton-reports").start(this::drain);
      }
    }

    private void drain() {
      do {
        byte[] body;
        while ((body = arrived.poll()) != null) {
          try {
            decode(body);
          } catch (RuntimeException e) {
            failDecode("a report of " + result.key() + " could not be applied: " + e, e);
          }
        }
        draining.set(false);
      } while (!arrived.isEmpty() && draining.compareAndSet(false, true));
    }

    private void decode(byte[] body) {
      TaskKey key = result.key();
      ReportEnvelope envelope;
      try {
        envelope = EnvelopeCodec.decodeReport(body, services.settings().maxPayloadBytes());
      } catch (EnvelopeDecodeException e) {
        failDecode("a report of " + key + " does not decode: " + e.getMessage(), e);
        return;
      }
      if (!envelope.key().equals(key)) {
        failDecode(
            "the store returned a report of " + envelope.key() + " when polled for " + key, null);
        return;
      }
      if ((envelope.status() == ReportStatus.FAIL || envelope.status() == ReportStatus.RETRY)
          && envelope.error() == null) {
        failDecode("a " + envelope.status() + " report of " + key + " carries no error", null);
        return;
      }
      Object value = null;
      byte[] encoded = envelope.value();
      if (envelope.status() == ReportStatus.SUCCESS && encoded != null && !signature.isVoid()) {
        TaskCatalog.MarshallerPair pair =
            services.catalog().findMarshaller(envelope.marshallerId());
        if (pair == null) {
          failDecode(
              "the value of "
                  + key
                  + " uses marshaller id "
                  + envelope.marshallerId()
                  + ", which this app does not have; add it with addMarshaller",
              null);
          return;
        }
        try {
          value = pair.marshaller().decodeReturn(signature, encoded);
        } catch (RuntimeException e) {
          failDecode("the value of " + key + " does not decode: " + e.getMessage(), e);
          return;
        }
      }
      result.acceptFromWorker(
          new Report(
              key,
              envelope.status(),
              envelope.attempt(),
              value,
              envelope.error(),
              envelope.progress(),
              envelope.at()));
    }

    private void failDecode(String message, @Nullable Throwable cause) {
      services.emit(
          EventOrigin.STORE,
          EventLevel.ERROR,
          EventCode.DECODE_FAILURE,
          message,
          result.key(),
          cause);
      result.fail(new TaskError(ErrorCode.DECODE, message), 1);
    }
  }

  // ---- worker side ----

  @Override
  public void allocate(String queue, int count, int share) {
    NamedTaskConsumer named = namedConsumer;
    TaskConsumer shared = sharedConsumer;
    if (named == null && shared == null) {
      throw new TaskConfigurationException(
          "no consumer is attached; attach a broker with use() before allocating workers");
    }
    if (reporter == null) {
      throw new TaskConfigurationException(
          "no report publisher is attached; attach a backend with use() before allocating"
              + " workers, so their reports reach callers");
    }
    if (count == 0) {
      return;
    }
    capacityByQueue.computeIfAbsent(queue, q -> new AtomicInteger()).addAndGet(count);
    Allocation allocation =
        new Allocation(
            queue, ReportLane.forWorkers(count, share), new AtomicInteger(), new Semaphore(count));
    // The broker hands over more tasks than run at once, so the next task is here while the last
    // one's report and acknowledgement travel; at most count run, the rest wait under lease.
    int prefetch =
        (int) Math.min(MAX_PREFETCH, (long) count * services.settings().prefetchMultiplier());
    Subscription subscription =
        named != null
            ? named.subscribe(queue, prefetch, delivery -> start(delivery, allocation))
            : requireNonNull(shared).subscribe(prefetch, delivery -> start(delivery, allocation));
    subscriptions.add(subscription);
    if (stopping) {
      subscription.cancel(); // close() ran meanwhile and cancelled the others
      return;
    }
    startHeartbeats();
  }

  /**
   * One {@link #allocate} call: its queue, its report lanes, and the permits of the {@code count}
   * workers that may run tasks at once (deliveries beyond them, prefetched, wait for a permit).
   */
  private record Allocation(
      String queue, List<ReportLane> lanes, AtomicInteger nextLane, Semaphore executing) {}

  private void start(Delivery delivery, Allocation allocation) {
    inFlight.incrementAndGet(); // before the check, so stopWorkers() waits for this delivery
    if (stopping) {
      inFlight.decrementAndGet();
      settle(delivery.release());
      return;
    }
    List<ReportLane> lanes = allocation.lanes();
    ReportLane lane =
        lanes.get(Math.floorMod(allocation.nextLane().getAndIncrement(), lanes.size()));
    Thread.ofVirtual()
        .name("baton-worker-" + allocation.queue())
        .start(
            () -> {
              try {
                process(delivery, lane, allocation.executing());
              } catch (RuntimeException | Error e) {
                // Nothing in process() should throw; if it does, the task is retried elsewhere.
                services.emit(
                    EventOrigin.WORKER,
                    EventLevel.ERROR,
                    EventCode.GENERIC,
                    "a worker failed handling a delivery from " + delivery.queue() + ": " + e,
                    null,
                    e);
                settle(delivery.release());
              } finally {
                inFlight.decrementAndGet();
              }
            });
  }

  private void process(Delivery delivery, ReportLane lane, Semaphore executing) {
    TaskEnvelope envelope;
    try {
      envelope = EnvelopeCodec.decodeTask(delivery.body(), services.settings().maxPayloadBytes());
    } catch (EnvelopeDecodeException e) {
      String message =
          "a delivery from " + delivery.queue() + " does not decode: " + e.getMessage();
      services.emit(
          EventOrigin.CONSUMER, EventLevel.ERROR, EventCode.DECODE_FAILURE, message, null, e);
      settle(delivery.deadLetter(new TaskError(ErrorCode.DECODE, message)));
      return;
    }
    WorkerReports reports = new WorkerReports(envelope, lane);
    if (delivery.deliveryCount() > MAX_DELIVERIES) {
      // Delivered again and again without being settled (a worker dying on it each time, say).
      finish(
          delivery,
          reports,
          new TaskError(
              ErrorCode.GENERIC,
              "task "
                  + envelope.key()
                  + " was delivered "
                  + delivery.deliveryCount()
                  + " times without finishing; it was dead-lettered"),
          true);
      return;
    }
    LeaseKeeper lease = new LeaseKeeper(delivery);
    try {
      run(delivery, envelope, reports, executing);
    } finally {
      lease.stop();
    }
  }

  /** Runs a decoded task and settles its delivery; the lease is kept meanwhile. */
  private void run(
      Delivery delivery, TaskEnvelope envelope, WorkerReports reports, Semaphore executing) {
    TaskKey key = envelope.key();
    TaskEntry entry = services.catalog().find(envelope.name());
    if (entry == null) {
      unknownTask(delivery, envelope, reports);
      return;
    }
    // Checks that decide whether the task runs are made once a worker is free for it, so a task
    // revoked or expired while it waited in the prefetch does not run.
    try {
      executing.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      settle(delivery.release()); // the app is closing; another worker runs it
      return;
    }
    TaskError error;
    RunningAttempt attempt;
    long tookNanos;
    ObserverCalls observers = services.observers();
    try {
      DeliverySource source = deliverySource();
      if (source != null && source.isRevoked(key)) {
        finish(
            delivery,
            reports,
            new TaskError(ErrorCode.REVOKED, "task " + key + " was revoked by its caller"),
            false);
        return;
      }
      if (!time.now().isBefore(envelope.expiresAt())) {
        finish(
            delivery,
            reports,
            new TaskError(
                ErrorCode.EXPIRED,
                "task "
                    + key
                    + " expired at "
                    + envelope.expiresAt()
                    + " before a worker started it"),
            false);
        return;
      }
      TaskCatalog.MarshallerPair pair = services.catalog().findMarshaller(envelope.marshallerId());
      if (pair == null) {
        finish(
            delivery,
            reports,
            new TaskError(
                ErrorCode.DECODE,
                "the arguments of "
                    + key
                    + " use marshaller id "
                    + envelope.marshallerId()
                    + ", which this worker does not have"),
            false);
        return;
      }
      @Nullable Object[] arguments;
      try {
        arguments = pair.marshaller().decodeArguments(entry.signature(), envelope.arguments());
      } catch (RuntimeException e) {
        finish(
            delivery,
            reports,
            new TaskError(
                ErrorCode.BAD_ARGUMENTS, e.getMessage() == null ? e.toString() : e.getMessage()),
            false);
        return;
      }
      if (stopping) {
        settle(delivery.release());
        return;
      }
      if (envelope.options().monitorProgress()
          && !reports.publish(ReportStatus.PROGRESS, null, null, null)) {
        settle(delivery.release());
        return;
      }
      attempt =
          new RunningAttempt(
              envelope.attempt(),
              new DeliveredCall(key, envelope.options(), reports, callerTrace(envelope)));
      running.put(key, attempt);
      runningAttempts.add(attempt);
      if (observers.active()) {
        observers.attemptStarted(key, envelope.attempt(), attempt.trace());
      }
      long startedNanos = time.nanoTime();
      try {
        error =
            services
                .runner()
                .run(entry.signature(), entry.function(), pair.invoker(), arguments, attempt);
      } finally {
        tookNanos = time.nanoTime() - startedNanos;
        running.remove(key, attempt);
        runningAttempts.remove(attempt);
      }
    } finally {
      // Free the worker as soon as the function returns: its reports and acknowledgement go on
      // without holding up the next task.
      executing.release();
    }
    int attemptNumber = envelope.attempt();
    if (error == null) {
      succeed(delivery, envelope, entry, attempt.value(), reports, tookNanos);
      return;
    }
    if (error.code() == ErrorCode.SHUTDOWN) {
      // Another worker runs it again (the same attempt number); the caller hears nothing yet.
      if (observers.active()) {
        observers.attemptFinished(
            key, attemptNumber, TaskObserver.AttemptOutcome.RETRYING, error, tookNanos);
      }
      settle(delivery.release());
      return;
    }
    RetryPolicy retry = envelope.options().retry();
    if (retry.retries(attemptNumber, error.code())) {
      if (observers.active()) {
        observers.attemptFinished(
            key, attemptNumber, TaskObserver.AttemptOutcome.RETRYING, error, tookNanos);
      }
      Duration backoff = retry.backoffAfter(attemptNumber, jitterSeed.split());
      services.emit(
          EventOrigin.WORKER,
          EventLevel.INFO,
          EventCode.RETRY_SCHEDULED,
          "attempt "
              + attemptNumber
              + " of "
              + key
              + " failed ("
              + error
              + "); retrying in "
              + backoff,
          key,
          null);
      if (reports.publish(ReportStatus.RETRY, null, error, null)) {
        settle(delivery.requeue(envelope.nextAttempt(time.now().plus(backoff))));
      } else {
        settle(delivery.release());
      }
      return;
    }
    if (error.code() == ErrorCode.PANIC) {
      services.emit(
          EventOrigin.WORKER, EventLevel.ERROR, EventCode.WORKER_PANIC, error.message(), key, null);
    }
    boolean deadLetter = retry.maxAttempts() > 1 && isRetryable(error.code());
    if (observers.active()) {
      observers.attemptFinished(
          key,
          attemptNumber,
          deadLetter
              ? TaskObserver.AttemptOutcome.DEAD_LETTERED
              : TaskObserver.AttemptOutcome.FAILED,
          error,
          tookNanos);
    }
    finish(delivery, reports, error, deadLetter);
  }

  /** A delivered task as its attempt sees it: key, options, where progress goes, the trace. */
  private record DeliveredCall(
      TaskKey key, TaskOptions options, WorkerReports reports, TraceParent callerTrace)
      implements RunningAttempt.Owner {
    @Override
    public void progress(Progress progress) {
      reports.publish(ReportStatus.PROGRESS, null, null, progress);
    }
  }

  /**
   * The trace a task's envelope carries. A task without one (from an older caller) or with one that
   * does not parse starts a new trace: a bad header is reported, never the task's failure.
   */
  private TraceParent callerTrace(TaskEnvelope envelope) {
    String header = envelope.traceparent();
    if (header == null) {
      return TraceParent.newTrace();
    }
    try {
      return TraceParent.parse(header);
    } catch (IllegalArgumentException e) {
      services.emit(
          EventOrigin.WORKER,
          EventLevel.WARNING,
          EventCode.GENERIC,
          "task "
              + envelope.key()
              + " carries a malformed traceparent ("
              + e.getMessage()
              + "); its attempt starts a new trace",
          envelope.key(),
          null);
      return TraceParent.newTrace();
    }
  }

  private static boolean isRetryable(ErrorCode code) {
    return code == ErrorCode.TASK_FAILED || code == ErrorCode.PANIC || code == ErrorCode.TIMEOUT;
  }

  private @Nullable DeliverySource deliverySource() {
    NamedTaskConsumer named = namedConsumer;
    return named != null ? named : sharedConsumer;
  }

  private void unknownTask(Delivery delivery, TaskEnvelope envelope, WorkerReports reports) {
    boolean ownQueue = namedConsumer != null && delivery.queue().equals(envelope.name());
    if (!ownQueue && delivery.deliveryCount() <= services.settings().unknownTaskReleases()) {
      // The shared queue (or a routed one) serves many names; another worker may know this one.
      settle(delivery.release());
      return;
    }
    TaskError error =
        new TaskError(
            ErrorCode.UNKNOWN_TASK,
            "no worker serves a task named '"
                + envelope.name()
                + "' (queue "
                + delivery.queue()
                + "); it was dead-lettered");
    services.emit(
        EventOrigin.MAPPER,
        EventLevel.ERROR,
        EventCode.TASK_DELIVERY_FAILURE,
        error.message(),
        envelope.key(),
        null);
    finish(delivery, reports, error, true);
  }

  /**
   * Sends the value of a successful attempt to the caller, and tells the observer the attempt
   * succeeded. A value this worker cannot send (no such report marshaller, not encodable, over the
   * payload limit) fails the call instead, and the observer hears that attempt as {@link
   * TaskObserver.AttemptOutcome#FAILED} with the error the caller gets.
   */
  private void succeed(
      Delivery delivery,
      TaskEnvelope envelope,
      TaskEntry entry,
      @Nullable Object value,
      WorkerReports reports,
      long tookNanos) {
    TaskCatalog.MarshallerPair pair =
        services.catalog().findMarshaller(envelope.reportMarshallerId());
    if (pair == null) {
      unsendable(
          delivery,
          envelope,
          reports,
          tookNanos,
          new TaskError(
              ErrorCode.GENERIC,
              "the caller asked for report marshaller id "
                  + envelope.reportMarshallerId()
                  + ", which this worker does not have"));
      return;
    }
    byte[] encoded;
    try {
      encoded = pair.marshaller().encodeReturn(entry.signature(), value);
    } catch (RuntimeException e) {
      unsendable(
          delivery,
          envelope,
          reports,
          tookNanos,
          new TaskError(
              ErrorCode.GENERIC,
              "the return value of " + envelope.key() + " cannot be encoded: " + e.getMessage()));
      return;
    }
    int limit = services.settings().maxPayloadBytes();
    if (encoded.length > limit) {
      unsendable(
          delivery,
          envelope,
          reports,
          tookNanos,
          new TaskError(
              ErrorCode.TOO_LARGE,
              "the return value of "
                  + envelope.key()
                  + " encodes to "
                  + encoded.length
                  + " bytes, over the limit of "
                  + limit));
      return;
    }
    ObserverCalls observers = services.observers();
    if (observers.active()) {
      observers.attemptFinished(
          envelope.key(),
          envelope.attempt(),
          TaskObserver.AttemptOutcome.SUCCEEDED,
          null,
          tookNanos);
    }
    if (reports.publishValue(encoded, envelope.reportMarshallerId())) {
      settle(delivery.ack());
    } else {
      settle(delivery.release());
    }
  }

  /** A successful attempt whose value cannot be sent: the call fails with {@code error}. */
  private void unsendable(
      Delivery delivery,
      TaskEnvelope envelope,
      WorkerReports reports,
      long tookNanos,
      TaskError error) {
    ObserverCalls observers = services.observers();
    if (observers.active()) {
      observers.attemptFinished(
          envelope.key(), envelope.attempt(), TaskObserver.AttemptOutcome.FAILED, error, tookNanos);
    }
    finish(delivery, reports, error, false);
  }

  /** Reports a final failure, then dead-letters or acknowledges the delivery. */
  private void finish(
      Delivery delivery, WorkerReports reports, TaskError error, boolean deadLetter) {
    if (!reports.publish(ReportStatus.FAIL, null, error, null)) {
      settle(delivery.release());
      return;
    }
    if (deadLetter) {
      services.emit(
          EventOrigin.WORKER,
          EventLevel.WARNING,
          EventCode.DEAD_LETTERED,
          reports.key() + " was dead-lettered: " + error,
          reports.key(),
          null);
      ObserverCalls observers = services.observers();
      if (observers.active()) {
        observers.deadLettered(reports.key(), delivery.queue(), error);
      }
      settle(delivery.deadLetter(error));
    } else {
      settle(delivery.ack());
    }
  }

  private void settle(CompletionStage<Void> settlement) {
    var _ =
        settlement.whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                services.emit(
                    EventOrigin.CONSUMER,
                    EventLevel.WARNING,
                    EventCode.TASK_DELIVERY_FAILURE,
                    "the broker did not take a settlement: " + failure.getMessage(),
                    null,
                    failure);
              }
            });
  }

  /** One call's reports from this worker, published in order through its lane. */
  private final class WorkerReports {
    private final TaskEnvelope envelope;
    private final ReportLane lane;
    private boolean announced;

    WorkerReports(TaskEnvelope envelope, ReportLane lane) {
      this.envelope = envelope;
      this.lane = lane;
    }

    TaskKey key() {
      return envelope.key();
    }

    boolean publish(
        ReportStatus status,
        byte @Nullable [] value,
        @Nullable TaskError error,
        @Nullable Progress progress) {
      return publish(status, value, 0, error, progress);
    }

    boolean publishValue(byte[] value, int marshallerId) {
      return publish(ReportStatus.SUCCESS, value, marshallerId, null, null);
    }

    /** Publishes and waits until stored; false (after an event) if the backend refused it. */
    private boolean publish(
        ReportStatus status,
        byte @Nullable [] value,
        int marshallerId,
        @Nullable TaskError error,
        @Nullable Progress progress) {
      if (envelope.options().ignoreReport()) {
        return true;
      }
      ReportPublisher publisher = reporter;
      if (publisher == null) {
        return false;
      }
      Instant now = time.now();
      ReportEnvelope report =
          new ReportEnvelope(
              EnvelopeCodec.VERSION,
              envelope.key(),
              status,
              envelope.attempt(),
              marshallerId,
              value,
              error,
              progress,
              now,
              envelope.expiresAt().isAfter(now)
                  ? envelope.expiresAt()
                  : now.plus(envelope.options().resultExpiry()));
      try {
        if (!announced) {
          announced = true;
          publisher.beforeReport(envelope.key());
        }
        lane.publish(publisher, report, envelope.replyTo())
            .toCompletableFuture()
            .get(PUBLISH_TIMEOUT.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (java.util.concurrent.ExecutionException
          | java.util.concurrent.TimeoutException
          | RuntimeException e) {
        services.emit(
            EventOrigin.REPORTER,
            EventLevel.ERROR,
            EventCode.REPORT_FAILURE,
            "a " + status + " report of " + envelope.key() + " was not stored: " + e.getMessage(),
            envelope.key(),
            e);
        return false;
      }
    }
  }

  /**
   * Renews a delivery's lease while its task is handled: at half the lease's remaining time, for
   * the lease's original length again. It tracks the expiry it asked for rather than re-reading the
   * delivery's, which an adapter may update only when the renewal completes.
   */
  private final class LeaseKeeper {
    private final Delivery delivery;
    private final Duration length;
    private volatile Instant expiresAt;
    private volatile @Nullable Scheduled next;
    private volatile boolean stopped;

    LeaseKeeper(Delivery delivery) {
      this.delivery = delivery;
      this.expiresAt = delivery.leaseExpiresAt();
      Duration left = Duration.between(time.now(), expiresAt);
      this.length = left.isNegative() || left.isZero() ? Duration.ofSeconds(30) : left;
      schedule();
    }

    private void schedule() {
      Duration left = Duration.between(time.now(), expiresAt);
      if (stopped || left.isNegative() || left.isZero()) {
        return;
      }
      next = time.schedule(left.dividedBy(2), this::renew);
    }

    private void renew() {
      if (stopped) {
        return;
      }
      expiresAt = time.now().plus(length);
      settle(delivery.renewLease(length));
      schedule();
    }

    void stop() {
      stopped = true;
      Scheduled scheduled = next;
      if (scheduled != null) {
        scheduled.cancel();
      }
    }
  }

  private void startHeartbeats() {
    if (heartbeat == null) {
      synchronized (this) {
        if (heartbeat == null) {
          sendHeartbeat();
        }
      }
    }
  }

  private void sendHeartbeat() {
    if (stopping) {
      return;
    }
    DeliverySource source = deliverySource();
    if (source != null) {
      int capacity = capacityByQueue.values().stream().mapToInt(AtomicInteger::get).sum();
      try {
        source.heartbeat(
            new WorkerHeartbeat(
                services.settings().workerId(),
                capacityByQueue.keySet(),
                running.size(),
                capacity,
                time.now()));
      } catch (RuntimeException e) {
        services.emit(
            EventOrigin.WORKER,
            EventLevel.WARNING,
            EventCode.CONNECTION,
            "a heartbeat was not recorded: " + e.getMessage(),
            null,
            e);
      }
    }
    heartbeat = time.schedule(services.settings().heartbeatInterval(), this::sendHeartbeat);
  }

  // ---- the rest ----

  @Override
  public Optional<BrokerInspection> inspection() {
    for (Object candidate : new Object[] {producer, namedConsumer, sharedConsumer}) {
      if (candidate instanceof BrokerInspection inspection) {
        return Optional.of(inspection);
      }
    }
    return Optional.empty();
  }

  @Override
  public void stopWorkers() {
    stopping = true;
    for (Subscription subscription : subscriptions) {
      subscription.cancel();
    }
    Scheduled beat = heartbeat;
    if (beat != null) {
      beat.cancel();
    }
    long deadline = System.nanoTime() + services.settings().shutdownGrace().toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    for (RunningAttempt attempt : List.copyOf(runningAttempts)) {
      attempt.cancel(ErrorCode.SHUTDOWN);
    }
    long backstop = System.nanoTime() + 1_000_000_000L;
    while (inFlight.get() > 0 && System.nanoTime() < backstop) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
  }

  @Override
  public void close() {
    for (Attachment attachment : attachments) {
      attachment.adapter().detach(attachment.context());
    }
    attachments.clear();
  }
}
