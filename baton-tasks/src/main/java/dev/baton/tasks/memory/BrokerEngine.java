package dev.baton.tasks.memory;

import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskError;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.TaskOptions;
import dev.baton.tasks.memory.AdapterEvents.Event;
import dev.baton.tasks.spi.AdapterContext;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.tasks.spi.Delivery;
import dev.baton.tasks.spi.DeliveryHandler;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.QueueStats;
import dev.baton.tasks.spi.Subscription;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.WorkerHeartbeat;
import dev.baton.time.Scheduled;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The engine behind both in-memory brokers: named queues of encoded tasks, a delayed set, leases,
 * dead letters, revocations and heartbeats.
 *
 * <h2>Concurrency</h2>
 *
 * <p>One {@link ReentrantLock}, {@link #lock}, guards every queue, the delayed set, the outstanding
 * deliveries, the dead letters, the revocations and the closed flag; the nested state objects
 * ({@link QueueState}, {@link SubscriptionState}, {@link MemoryDelivery}) have their mutable fields
 * guarded by it too (noted on each, since {@code @GuardedBy} cannot name an outer lock through
 * another instance). Heartbeats live apart in a {@link ConcurrentHashMap}. Encoding and decoding
 * happen outside the lock.
 *
 * <p>One platform daemon thread per engine, the dispatcher, hands deliveries to handlers: under the
 * lock it assigns ready tasks to subscriptions (round-robin, at most {@code prefetch} unsettled per
 * subscription, starting each task's lease), then it releases the lock and calls the handlers in
 * that order. So no subscription is ever called concurrently, and handlers may call back into the
 * broker (settle, subscribe, cancel, even close) from {@code onDelivery}. A slow handler delays
 * every subscription of the broker; the SPI asks handlers to hand work off and return.
 *
 * <p>Timers (delayed tasks, leases, revocation expiry) run on the {@link TimeSource}'s thread; each
 * takes the lock and checks that what it was armed for still holds (a delivery's lease generation,
 * a delayed task still waiting), so a timer that fires while being cancelled does nothing. Events
 * are collected under the lock and emitted after it is released.
 *
 * <h2>Ordering</h2>
 *
 * <p>A queue has one FIFO per priority and delivers the highest non-empty priority first. A task
 * given back (released, lease expired, buffered for a subscription that was cancelled) goes to the
 * head of its priority's FIFO; a task whose eta passed, or a requeued attempt, to the tail.
 *
 * <h2>Failure</h2>
 *
 * <p>Operations after {@link #close()} fail with {@link IllegalStateException} ("broker is
 * closed"), as a failed stage where they return one; inspection still reads the final state. A
 * second settlement of a delivery is counted ({@link #ignoredSettlements()}), reported as a WARNING
 * event and otherwise ignored. A handler that throws (which the SPI forbids) is reported as an
 * ERROR event; its delivery stays leased and comes back when the lease runs out.
 */
final class BrokerEngine {
  private static final int MAX_BATCH = 256;
  private static final int PRIORITIES = TaskOptions.MAX_PRIORITY + 1;
  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

  private final TimeSource time;
  private final Duration leaseDuration;
  private final Duration livenessWindow;

  /** The one queue every task goes to, or {@code null} for a queue per name. */
  private final @Nullable String sharedQueue;

  private final AdapterEvents events = new AdapterEvents();
  private final Thread dispatcher;

  private final ReentrantLock lock = new ReentrantLock();

  /** Signalled when {@link #dirty} gains a queue, and on close. */
  private final Condition workAvailable = lock.newCondition();

  /** Signalled when the dispatcher runs out of work, for {@link #awaitIdle}. */
  private final Condition idle = lock.newCondition();

  /** Whether the dispatcher is calling handlers outside the lock. */
  @GuardedBy("lock")
  private boolean handingOut;

  @GuardedBy("lock")
  private final Map<String, QueueState> queues = new HashMap<>();

  /** Queues that have ready tasks and subscribers that may have room: the dispatcher's work. */
  @GuardedBy("lock")
  private final LinkedHashSet<QueueState> dirty = new LinkedHashSet<>();

  /** Tasks waiting for their eta, by message sequence. */
  @GuardedBy("lock")
  private final Map<Long, DelayedTask> delayed = new HashMap<>();

  /** Deliveries handed out (or about to be) and not yet settled. */
  @GuardedBy("lock")
  private final Set<MemoryDelivery> outstanding = new HashSet<>();

  /** Oldest first. */
  @GuardedBy("lock")
  private final LinkedHashMap<String, StoredDeadLetter> deadLetters = new LinkedHashMap<>();

  @GuardedBy("lock")
  private final Map<TaskKey, Revocation> revocations = new HashMap<>();

  @GuardedBy("lock")
  private long nextSequence;

  @GuardedBy("lock")
  private long nextDeadLetter;

  @GuardedBy("lock")
  private long ignoredSettlements;

  @GuardedBy("lock")
  private boolean closed;

  /** Mirrors {@link #closed} for the dispatcher's lock-free checks between handler calls. */
  private volatile boolean stopping;

  private final ConcurrentHashMap<String, ReceivedHeartbeat> heartbeats = new ConcurrentHashMap<>();

  BrokerEngine(
      TimeSource time,
      Duration leaseDuration,
      Duration livenessWindow,
      @Nullable String sharedQueue) {
    this.time = requireNonNull(time, "time");
    this.sharedQueue = sharedQueue == null ? null : requireQueueName(sharedQueue);
    this.leaseDuration = positive(leaseDuration, "leaseDuration");
    this.livenessWindow = positive(livenessWindow, "livenessWindow");
    this.dispatcher =
        Thread.ofPlatform()
            .name("baton-memory-broker-" + THREAD_NUMBER.incrementAndGet())
            .daemon()
            .unstarted(this::dispatchLoop);
  }

  /** Starts the dispatcher thread; called once by the broker that owns this engine. */
  void start() {
    dispatcher.start();
  }

  /** The queue {@code task} is stored in. */
  String routeOf(TaskEnvelope task) {
    return sharedQueue != null ? sharedQueue : task.queue();
  }

  /** The queue that a send, declare or subscription naming {@code queue} uses. */
  String routeOf(String queue) {
    requireQueueName(queue);
    return sharedQueue != null ? sharedQueue : queue;
  }

  static Duration positive(Duration duration, String name) {
    requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + duration);
    }
    return duration;
  }

  private static String requireQueueName(String queue) {
    requireNonNull(queue, "queue");
    if (queue.isBlank()) {
      throw new IllegalArgumentException("queue must not be blank");
    }
    return queue;
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("broker is closed");
  }

  // ---------------------------------------------------------------------------------------------
  // Adapter lifecycle

  void attach(AdapterContext context) {
    events.attach(context);
  }

  void detach(AdapterContext context) {
    events.detach(context);
  }

  void close() {
    List<Scheduled> timers = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      stopping = true;
      for (DelayedTask task : delayed.values()) {
        timers.add(task.timer);
      }
      for (MemoryDelivery delivery : outstanding) {
        Scheduled timer = delivery.leaseTimer;
        if (timer != null) {
          timers.add(timer);
          delivery.leaseTimer = null;
        }
      }
      for (Revocation revocation : revocations.values()) {
        Scheduled timer = revocation.timer;
        if (timer != null) {
          timers.add(timer);
        }
      }
      for (QueueState queue : queues.values()) {
        for (SubscriptionState subscription : queue.subscribers) {
          subscription.cancelled = true;
        }
        queue.subscribers.clear();
      }
      dirty.clear();
      workAvailable.signalAll();
    } finally {
      lock.unlock();
    }
    for (Scheduled timer : timers) {
      timer.cancel();
    }
    if (Thread.currentThread().threadId() != dispatcher.threadId() && dispatcher.isAlive()) {
      try {
        // The dispatcher exits at once unless a handler is inside onDelivery; do not wait forever
        // for one that blocks.
        boolean stopped = dispatcher.join(Duration.ofSeconds(5));
        if (!stopped) {
          events.emit(
              EventLevel.WARNING,
              EventCode.GENERIC,
              "in-memory broker closed while a delivery handler was still running on "
                  + dispatcher.getName(),
              null,
              null);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Producing

  void declare(String queue) {
    String name = routeOf(queue);
    lock.lock();
    try {
      if (closed) {
        throw closedException();
      }
      queue(name);
    } finally {
      lock.unlock();
    }
  }

  CompletionStage<Void> send(TaskEnvelope task) {
    requireNonNull(task, "task");
    String queue = routeOf(task);
    byte[] body;
    try {
      body = EnvelopeCodec.encode(task);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedStage(e);
    }
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedStage(closedException());
      }
      store(queue(queue), body, task.key(), task.priority(), task.eta());
    } catch (IllegalStateException e) { // the time source is closed
      return CompletableFuture.failedStage(e);
    } finally {
      lock.unlock();
    }
    return CompletableFuture.completedStage(null);
  }

  void injectRaw(String queue, byte[] body) {
    String name = routeOf(queue);
    byte[] copy = body.clone();
    TaskKey key = EnvelopeCodec.peekKey(copy);
    lock.lock();
    try {
      if (closed) {
        throw closedException();
      }
      store(queue(name), copy, key, TaskOptions.MIN_PRIORITY, null);
    } finally {
      lock.unlock();
    }
  }

  CompletionStage<Void> revoke(TaskKey key, Instant until) {
    requireNonNull(key, "key");
    requireNonNull(until, "until");
    Scheduled replaced = null;
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedStage(closedException());
      }
      Instant now = time.now();
      Revocation existing = revocations.get(key);
      if (until.isAfter(now) && (existing == null || until.isAfter(existing.until))) {
        Revocation revocation = new Revocation(until);
        revocation.timer =
            time.schedule(Duration.between(now, until), () -> forgetRevocation(key, revocation));
        revocations.put(key, revocation);
        if (existing != null) {
          replaced = existing.timer;
        }
      }
    } catch (IllegalStateException e) { // the time source is closed
      return CompletableFuture.failedStage(e);
    } finally {
      lock.unlock();
    }
    if (replaced != null) {
      replaced.cancel();
    }
    return CompletableFuture.completedStage(null);
  }

  private void forgetRevocation(TaskKey key, Revocation revocation) {
    lock.lock();
    try {
      revocations.remove(key, revocation);
    } finally {
      lock.unlock();
    }
  }

  boolean isRevoked(TaskKey key) {
    requireNonNull(key, "key");
    lock.lock();
    try {
      Revocation revocation = revocations.get(key);
      return revocation != null && time.now().isBefore(revocation.until);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stores a new message (delivery count 1) in {@code queue}: delayed if {@code eta} is in the
   * future, else at the tail of its priority's FIFO.
   *
   * @throws IllegalStateException if the time source is closed; nothing is stored then
   */
  @GuardedBy("lock")
  private void store(
      QueueState queue, byte[] body, @Nullable TaskKey key, int priority, @Nullable Instant eta) {
    long sequence = nextSequence++;
    Message message = new Message(sequence, queue.name, body, key, priority, 1);
    Instant now = time.now();
    if (eta != null && eta.isAfter(now)) {
      Scheduled timer = time.schedule(Duration.between(now, eta), () -> promote(sequence));
      delayed.put(sequence, new DelayedTask(message, queue, timer));
      queue.delayedCount++;
    } else {
      queue.addLast(message);
      markDirty(queue);
    }
  }

  /** A delayed task's eta has come: it becomes ready. */
  private void promote(long sequence) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      DelayedTask task = delayed.remove(sequence);
      if (task == null) {
        return;
      }
      task.queue.delayedCount--;
      task.queue.addLast(task.message);
      markDirty(task.queue);
    } finally {
      lock.unlock();
    }
  }

  @GuardedBy("lock")
  private QueueState queue(String name) {
    return queues.computeIfAbsent(name, QueueState::new);
  }

  @GuardedBy("lock")
  private void markDirty(QueueState queue) {
    if (queue.readyCount > 0 && !queue.subscribers.isEmpty() && dirty.add(queue)) {
      workAvailable.signal();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Consuming

  Subscription subscribe(String queue, int prefetch, DeliveryHandler handler) {
    String name = routeOf(queue);
    requireNonNull(handler, "handler");
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch must be at least 1, got " + prefetch);
    }
    lock.lock();
    try {
      if (closed) {
        throw closedException();
      }
      QueueState state = queue(name);
      SubscriptionState subscription = new SubscriptionState(state, prefetch, handler);
      state.subscribers.add(subscription);
      markDirty(state);
      return subscription;
    } finally {
      lock.unlock();
    }
  }

  private void cancel(SubscriptionState subscription) {
    lock.lock();
    try {
      if (subscription.cancelled) {
        return;
      }
      subscription.cancelled = true;
      QueueState queue = subscription.queue;
      queue.subscribers.remove(subscription);
      if (queue.nextSubscriber >= queue.subscribers.size()) {
        queue.nextSubscriber = 0;
      }
    } finally {
      lock.unlock();
    }
  }

  void heartbeat(WorkerHeartbeat heartbeat) {
    requireNonNull(heartbeat, "heartbeat");
    heartbeats.put(heartbeat.workerId(), new ReceivedHeartbeat(heartbeat, time.now()));
  }

  // ---------------------------------------------------------------------------------------------
  // The dispatcher

  private void dispatchLoop() {
    List<MemoryDelivery> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      lock.lock();
      try {
        handingOut = false;
        while (!closed && dirty.isEmpty()) {
          idle.signalAll();
          workAvailable.awaitUninterruptibly();
        }
        if (closed) {
          idle.signalAll();
          return;
        }
        fillBatch(batch);
        handingOut = !batch.isEmpty();
      } finally {
        lock.unlock();
      }
      handOut(batch);
      batch.clear();
    }
  }

  /**
   * Waits until the dispatcher has handed out everything it can: no delivery is being handed out
   * and no queue has both ready tasks and a subscription with room. For tests, which then assert
   * what was (and was not) delivered without waiting on the clock.
   *
   * @return false if {@code timeout} passed first
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (!closed && (handingOut || !dirty.isEmpty())) {
        if (nanos <= 0) {
          return false;
        }
        nanos = idle.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @GuardedBy("lock")
  private void fillBatch(List<MemoryDelivery> batch) {
    QueueState unfinished = null;
    Iterator<QueueState> iterator = dirty.iterator();
    while (iterator.hasNext() && batch.size() < MAX_BATCH) {
      QueueState queue = iterator.next();
      iterator.remove();
      if (assign(queue, batch)) {
        unfinished = queue;
        break;
      }
    }
    if (unfinished != null) {
      dirty.add(unfinished); // to the back, so that one busy queue does not starve the others
    }
  }

  /**
   * Leases ready tasks of {@code queue} to its subscriptions with room, round-robin, until the
   * batch is full, the queue is empty or no subscription has room.
   *
   * @return whether the batch filled while the queue may still have work
   */
  @GuardedBy("lock")
  private boolean assign(QueueState queue, List<MemoryDelivery> batch) {
    while (queue.readyCount > 0) {
      if (batch.size() >= MAX_BATCH) {
        return true;
      }
      SubscriptionState subscription = nextWithRoom(queue);
      if (subscription == null) {
        return false;
      }
      Message message = queue.pollFirst();
      MemoryDelivery delivery = new MemoryDelivery(message, subscription);
      subscription.unsettled++;
      queue.unackedCount++;
      outstanding.add(delivery);
      armLease(delivery, leaseDuration);
      batch.add(delivery);
    }
    return false;
  }

  private static @Nullable SubscriptionState nextWithRoom(QueueState queue) {
    int count = queue.subscribers.size();
    for (int i = 0; i < count; i++) {
      int index = (queue.nextSubscriber + i) % count;
      SubscriptionState subscription = queue.subscribers.get(index);
      if (subscription.unsettled < subscription.prefetch) {
        queue.nextSubscriber = (index + 1) % count;
        return subscription;
      }
    }
    return null;
  }

  /** Calls the handlers outside the lock; gives back what was leased to cancelled subscriptions. */
  private void handOut(List<MemoryDelivery> batch) {
    List<MemoryDelivery> unclaimed = null;
    for (MemoryDelivery delivery : batch) {
      if (stopping) {
        return;
      }
      SubscriptionState subscription = delivery.subscription;
      if (subscription.cancelled) {
        if (unclaimed == null) {
          unclaimed = new ArrayList<>();
        }
        unclaimed.add(delivery);
        continue;
      }
      try {
        subscription.handler.onDelivery(delivery);
      } catch (RuntimeException e) {
        events.emit(
            EventLevel.ERROR,
            EventCode.TASK_DELIVERY_FAILURE,
            "a delivery handler of queue "
                + delivery.message.queue()
                + " threw; the task comes back when its lease runs out",
            delivery.message.key(),
            e);
      }
    }
    if (unclaimed != null) {
      giveBack(unclaimed);
    }
  }

  /** Puts deliveries that were never handed out back at the head of their queues, in order. */
  private void giveBack(List<MemoryDelivery> unclaimed) {
    List<Scheduled> timers = new ArrayList<>();
    lock.lock();
    try {
      for (int i = unclaimed.size() - 1; i >= 0; i--) {
        MemoryDelivery delivery = unclaimed.get(i);
        if (delivery.state != DeliveryState.OUTSTANDING || closed) {
          continue;
        }
        delivery.state = DeliveryState.RETURNED;
        Scheduled timer = finish(delivery);
        if (timer != null) {
          timers.add(timer);
        }
        QueueState queue = delivery.subscription.queue;
        queue.addFirst(delivery.message);
        markDirty(queue);
      }
    } finally {
      lock.unlock();
    }
    for (Scheduled timer : timers) {
      timer.cancel();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Leases and settlement

  @GuardedBy("lock")
  private void armLease(MemoryDelivery delivery, Duration duration) {
    Scheduled previous = delivery.leaseTimer;
    if (previous != null) {
      previous.cancel();
    }
    long generation = ++delivery.leaseGeneration;
    delivery.leaseExpiresAt = Times.plus(time.now(), duration);
    try {
      delivery.leaseTimer = time.schedule(duration, () -> leaseExpired(delivery, generation));
    } catch (IllegalStateException e) {
      delivery.leaseTimer = null; // the time source is closed: the node is going down
    }
  }

  private void leaseExpired(MemoryDelivery delivery, long generation) {
    Event event;
    lock.lock();
    try {
      if (closed
          || delivery.state != DeliveryState.OUTSTANDING
          || delivery.leaseGeneration != generation) {
        return;
      }
      delivery.state = DeliveryState.EXPIRED;
      delivery.leaseTimer = null;
      finish(delivery);
      QueueState queue = delivery.subscription.queue;
      Message again = delivery.message.redelivered();
      queue.addFirst(again);
      markDirty(queue);
      event =
          new Event(
              EventLevel.WARNING,
              EventCode.TASK_DELIVERY_FAILURE,
              "the lease of a task in queue "
                  + queue.name
                  + " ran out before it was settled; delivering it again (delivery "
                  + again.deliveryCount()
                  + ")",
              again.key(),
              null);
    } finally {
      lock.unlock();
    }
    events.emit(event);
  }

  /**
   * The bookkeeping every end of a delivery shares: it is no longer outstanding and no longer
   * counts against its subscription's prefetch.
   *
   * @return the lease timer to cancel once the lock is released, if any
   */
  @GuardedBy("lock")
  private @Nullable Scheduled finish(MemoryDelivery delivery) {
    outstanding.remove(delivery);
    QueueState queue = delivery.subscription.queue;
    queue.unackedCount--;
    delivery.subscription.unsettled--;
    Scheduled timer = delivery.leaseTimer;
    delivery.leaseTimer = null;
    markDirty(queue);
    return timer;
  }

  private enum Settlement {
    ACK,
    RELEASE,
    REQUEUE,
    DEAD_LETTER
  }

  private CompletionStage<Void> settle(
      MemoryDelivery delivery,
      Settlement settlement,
      @Nullable TaskEnvelope next,
      @Nullable TaskError error) {
    byte[] nextBody = null;
    if (next != null) {
      try {
        nextBody = EnvelopeCodec.encode(next);
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedStage(e);
      }
    }
    Scheduled timer;
    Event event = null;
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedStage(closedException());
      }
      if (delivery.state != DeliveryState.OUTSTANDING) {
        ignoredSettlements++;
        event =
            new Event(
                EventLevel.WARNING,
                EventCode.GENERIC,
                "a task of queue "
                    + delivery.message.queue()
                    + " was settled ("
                    + settlement
                    + ") after it was already "
                    + delivery.state.description
                    + "; ignored",
                delivery.message.key(),
                null);
        timer = null;
      } else {
        if (settlement == Settlement.REQUEUE) {
          // Store the next attempt before removing this one: a failure leaves this one leased.
          TaskEnvelope requireNext = requireNonNull(next);
          store(
              queue(routeOf(requireNext)),
              requireNonNull(nextBody),
              requireNext.key(),
              requireNext.priority(),
              requireNext.eta());
        }
        delivery.state = DeliveryState.SETTLED;
        timer = finish(delivery);
        QueueState queue = delivery.subscription.queue;
        switch (settlement) {
          case ACK, REQUEUE -> {}
          case RELEASE -> {
            queue.addFirst(delivery.message.redelivered());
            markDirty(queue);
          }
          case DEAD_LETTER -> {
            Message message = delivery.message;
            String id = "dl-" + ++nextDeadLetter;
            DeadLetter letter =
                new DeadLetter(
                    id,
                    queue.name,
                    message.key(),
                    requireNonNull(error),
                    time.now(),
                    message.body());
            deadLetters.put(id, new StoredDeadLetter(letter, message.priority()));
            queue.deadLetterCount++;
          }
        }
      }
    } catch (IllegalStateException e) { // the time source is closed
      return CompletableFuture.failedStage(e);
    } finally {
      lock.unlock();
    }
    if (timer != null) {
      timer.cancel();
    }
    if (event != null) {
      events.emit(event);
    }
    return CompletableFuture.completedStage(null);
  }

  private CompletionStage<Void> renew(MemoryDelivery delivery, Duration extension) {
    positive(extension, "extension");
    Event event = null;
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedStage(closedException());
      }
      if (delivery.state == DeliveryState.OUTSTANDING) {
        armLease(delivery, extension);
      } else {
        event =
            new Event(
                EventLevel.DEBUG,
                EventCode.GENERIC,
                "a lease renewal of a task of queue "
                    + delivery.message.queue()
                    + " came after it was "
                    + delivery.state.description
                    + "; ignored",
                delivery.message.key(),
                null);
      }
    } finally {
      lock.unlock();
    }
    if (event != null) {
      events.emit(event);
    }
    return CompletableFuture.completedStage(null);
  }

  long ignoredSettlements() {
    lock.lock();
    try {
      return ignoredSettlements;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Inspection

  List<QueueStats> queues() {
    List<QueueStats> stats = new ArrayList<>();
    lock.lock();
    try {
      for (QueueState queue : queues.values()) {
        stats.add(
            new QueueStats(
                queue.name,
                queue.readyCount,
                queue.delayedCount,
                queue.unackedCount,
                queue.deadLetterCount));
      }
    } finally {
      lock.unlock();
    }
    stats.sort(Comparator.comparing(QueueStats::queue));
    return List.copyOf(stats);
  }

  List<WorkerHeartbeat> workers() {
    Instant oldest = Times.plus(time.now(), livenessWindow.negated());
    List<WorkerHeartbeat> live = new ArrayList<>();
    for (Iterator<ReceivedHeartbeat> iterator = heartbeats.values().iterator();
        iterator.hasNext(); ) {
      ReceivedHeartbeat received = iterator.next();
      if (received.at().isBefore(oldest)) {
        iterator.remove();
      } else {
        live.add(received.heartbeat());
      }
    }
    live.sort(Comparator.comparing(WorkerHeartbeat::workerId));
    return List.copyOf(live);
  }

  List<DeadLetter> deadLetters(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    List<DeadLetter> letters = new ArrayList<>(Math.min(limit, 1024));
    lock.lock();
    try {
      for (StoredDeadLetter stored : deadLetters.values()) {
        if (letters.size() >= limit) {
          break;
        }
        DeadLetter letter = stored.letter();
        letters.add(
            new DeadLetter(
                letter.id(),
                letter.queue(),
                letter.key(),
                letter.error(),
                letter.at(),
                letter.body().clone()));
      }
    } finally {
      lock.unlock();
    }
    return List.copyOf(letters);
  }

  boolean retryDeadLetter(String deadLetterId) {
    requireNonNull(deadLetterId, "deadLetterId");
    lock.lock();
    try {
      if (closed) {
        throw closedException();
      }
      StoredDeadLetter stored = deadLetters.remove(deadLetterId);
      if (stored == null) {
        return false;
      }
      DeadLetter letter = stored.letter();
      QueueState queue = queue(letter.queue());
      queue.deadLetterCount--;
      store(queue, letter.body(), letter.key(), stored.priority(), null);
      return true;
    } finally {
      lock.unlock();
    }
  }

  boolean discardDeadLetter(String deadLetterId) {
    requireNonNull(deadLetterId, "deadLetterId");
    lock.lock();
    try {
      StoredDeadLetter stored = deadLetters.remove(deadLetterId);
      if (stored == null) {
        return false;
      }
      queue(stored.letter().queue()).deadLetterCount--;
      return true;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // State

  /**
   * One stored task: immutable; a redelivery is a copy with a higher count.
   *
   * @param key the task's key, if its header decodes (else {@code null}), for events and dead
   *     letters
   */
  @SuppressWarnings("ArrayRecordComponent") // stored bytes, never compared
  private record Message(
      long sequence,
      String queue,
      byte[] body,
      @Nullable TaskKey key,
      int priority,
      int deliveryCount) {

    Message redelivered() {
      return new Message(sequence, queue, body, key, priority, deliveryCount + 1);
    }
  }

  private record StoredDeadLetter(DeadLetter letter, int priority) {}

  private record ReceivedHeartbeat(WorkerHeartbeat heartbeat, Instant at) {}

  /** A task waiting for its eta. */
  private record DelayedTask(Message message, QueueState queue, Scheduled timer) {}

  /** A revocation until {@link #until}; its timer forgets it then. */
  private static final class Revocation {
    final Instant until;
    // Guarded by the engine's lock.
    @Nullable Scheduled timer;

    Revocation(Instant until) {
      this.until = until;
    }
  }

  /** One queue. Every mutable field is guarded by the engine's lock. */
  private static final class QueueState {
    final String name;
    private final List<ArrayDeque<Message>> ready = new ArrayList<>(PRIORITIES);
    int readyCount;
    int delayedCount;
    int unackedCount;
    int deadLetterCount;
    final List<SubscriptionState> subscribers = new ArrayList<>();
    int nextSubscriber;

    QueueState(String name) {
      this.name = name;
      for (int i = 0; i < PRIORITIES; i++) {
        ready.add(new ArrayDeque<>());
      }
    }

    void addLast(Message message) {
      ready.get(message.priority()).addLast(message);
      readyCount++;
    }

    void addFirst(Message message) {
      ready.get(message.priority()).addFirst(message);
      readyCount++;
    }

    /** The head of the highest non-empty priority; only called when {@link #readyCount} > 0. */
    Message pollFirst() {
      for (int priority = PRIORITIES - 1; priority >= 0; priority--) {
        Message message = ready.get(priority).pollFirst();
        if (message != null) {
          readyCount--;
          return message;
        }
      }
      throw new IllegalStateException("readyCount was " + readyCount + " but no task is ready");
    }
  }

  /** One subscription; {@link #unsettled} is guarded by the engine's lock. */
  private final class SubscriptionState implements Subscription {
    final QueueState queue;
    final int prefetch;
    final DeliveryHandler handler;

    /** Written under the lock; read by the dispatcher without it between handler calls. */
    volatile boolean cancelled;

    int unsettled;

    SubscriptionState(QueueState queue, int prefetch, DeliveryHandler handler) {
      this.queue = queue;
      this.prefetch = prefetch;
      this.handler = handler;
    }

    @Override
    public void cancel() {
      BrokerEngine.this.cancel(this);
    }
  }

  private enum DeliveryState {
    OUTSTANDING("outstanding"),
    SETTLED("settled"),
    EXPIRED("given back because its lease ran out"),
    RETURNED("given back because its subscription was cancelled");

    final String description;

    DeliveryState(String description) {
      this.description = description;
    }
  }

  /** One delivery. {@code state}, {@code leaseTimer}, {@code leaseGeneration}: engine's lock. */
  private final class MemoryDelivery implements Delivery {
    final Message message;
    final SubscriptionState subscription;

    /** Written under the lock; read by the holder without it. */
    volatile Instant leaseExpiresAt = Instant.EPOCH;

    DeliveryState state = DeliveryState.OUTSTANDING;
    @Nullable Scheduled leaseTimer;
    long leaseGeneration;

    MemoryDelivery(Message message, SubscriptionState subscription) {
      this.message = message;
      this.subscription = subscription;
    }

    @Override
    public byte[] body() {
      return message.body().clone();
    }

    @Override
    public String queue() {
      return message.queue();
    }

    @Override
    public int deliveryCount() {
      return message.deliveryCount();
    }

    @Override
    public Instant leaseExpiresAt() {
      return leaseExpiresAt;
    }

    @Override
    public CompletionStage<Void> ack() {
      return settle(this, Settlement.ACK, null, null);
    }

    @Override
    public CompletionStage<Void> release() {
      return settle(this, Settlement.RELEASE, null, null);
    }

    @Override
    public CompletionStage<Void> requeue(TaskEnvelope next) {
      requireNonNull(next, "next");
      return settle(this, Settlement.REQUEUE, next, null);
    }

    @Override
    public CompletionStage<Void> deadLetter(TaskError error) {
      requireNonNull(error, "error");
      return settle(this, Settlement.DEAD_LETTER, null, error);
    }

    @Override
    public CompletionStage<Void> renewLease(Duration extension) {
      return renew(this, extension);
    }

    @Override
    public String toString() {
      return "Delivery[queue="
          + message.queue()
          + ", key="
          + message.key()
          + ", count="
          + message.deliveryCount()
          + "]";
    }
  }
}
